import { existsSync, readFileSync } from "node:fs"
import { homedir } from "node:os"
import { join, resolve } from "node:path"
import { parseRedisUrl } from "@openpollen/redis/url"
import { Result, Schema, SchemaIssue } from "effect"
import JSON5 from "json5"
import { ConfigFile } from "./ConfigFile.js"
import { type ResolvedConfig, resolveConfig } from "./ResolvedConfig.js"
import { substituteEnv } from "./substituteEnv.js"

export class ConfigError extends Error {
  constructor(
    readonly problems: ReadonlyArray<string>,
    readonly source?: string,
  ) {
    super(`${source ?? "configuration"}: ${problems.join("; ")}`)
    this.name = "ConfigError"
  }
}

export interface ConfigLocation {
  readonly explicit?: string
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
}

/** `--config`, then `$OPENPOLLEN_CONFIG`, then `./openpollen.json`, then `~/.openpollen/openpollen.json`. */
export const findConfigFile = (location: ConfigLocation): string | undefined => {
  if (location.explicit !== undefined) return resolve(location.cwd, location.explicit)
  const fromEnv = location.env.OPENPOLLEN_CONFIG
  if (fromEnv !== undefined && fromEnv !== "") return resolve(location.cwd, fromEnv)
  return [join(location.cwd, "openpollen.json"), join(homedir(), ".openpollen", "openpollen.json")].find(
    (path) => existsSync(path),
  )
}

const REQUIRED_WHEN_ENABLED = ["clientId", "clientSecret"] as const

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

/** Parses, substitutes and decodes a config text; every problem names its key path. */
/** Keys where a written `""` is a choice, not an absence. */
const MEANINGFUL_EMPTY = ["channels.dingtalk.unsupportedMessageReply"]

export const parseConfig = (
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  source?: string,
): ResolvedConfig => {
  let parsed: unknown
  try {
    parsed = JSON5.parse(text)
  } catch (error) {
    throw new ConfigError(
      [`not valid JSON5 (${error instanceof Error ? error.message : "parse error"})`],
      source,
    )
  }
  const { value, unset, defaulted } = substituteEnv(parsed, env, MEANINGFUL_EMPTY)
  // An unset variable must not quietly empty a list (an allowlist that refuses everyone) or drop a key (an open API).
  if (unset.length > 0)
    throw new ConfigError(
      unset.map((entry) => `${entry.path}: environment variable ${entry.variable} is not set`),
      source,
    )
  const decoded = Schema.decodeUnknownResult(ConfigFile, { onExcessProperty: "error" })(value)
  if (Result.isFailure(decoded)) {
    const problems = formatIssues(decoded.failure.issue).issues.map((issue) => {
      const path = (issue.path ?? []).map(String).join(".")
      const missing = unset.find((entry) => entry.path === path)
      if (missing !== undefined) return `${path}: environment variable ${missing.variable} is not set`
      return `${path === "" ? "(top level)" : path}: ${issue.message}`
    })
    throw new ConfigError(problems, source)
  }
  const dingtalk = decoded.success.channels?.dingtalk
  if (dingtalk?.enabled === true) {
    const problems = REQUIRED_WHEN_ENABLED.filter((key) => dingtalk[key] === undefined).map((key) => {
      const path = `channels.dingtalk.${key}`
      const missing = defaulted.find((entry) => entry.path === path)
      return missing !== undefined
        ? `${path}: environment variable ${missing.variable} is not set`
        : `${path}: required when the channel is enabled`
    })
    if (problems.length > 0) throw new ConfigError(problems, source)
  }
  const store = decoded.success.store
  if (store?.kind === "redis") {
    const missing = defaulted.find((entry) => entry.path === "store.url")
    if (store.url === undefined || store.url === "")
      throw new ConfigError(
        [
          missing !== undefined
            ? `store.url: environment variable ${missing.variable} is not set`
            : 'store.url: required when store.kind is "redis"',
        ],
        source,
      )
    if (parseRedisUrl(store.url) === undefined)
      throw new ConfigError(["store.url: not a redis:// or rediss:// URL"], source)
  }
  return resolveConfig(decoded.success, source, env)
}

export const loadConfig = (location: ConfigLocation): ResolvedConfig => {
  const path = findConfigFile(location)
  if (path === undefined) return resolveConfig({}, undefined, location.env)
  let text: string
  try {
    text = readFileSync(path, "utf8")
  } catch {
    throw new ConfigError(["cannot be read"], path)
  }
  return parseConfig(text, location.env, path)
}
