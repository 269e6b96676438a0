import { existsSync, readFileSync } from "node:fs"
import { homedir } from "node:os"
import { join, resolve } from "node:path"
import { parseRedisUrl } from "@openpollen/redis/url"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
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

const field = (value: unknown, ...path: ReadonlyArray<string>): unknown =>
  path.reduce<unknown>(
    (current, key) =>
      typeof current === "object" && current !== null ? (current as Record<string, unknown>)[key] : undefined,
    value,
  )

/** The rules that span keys: credentials when the channel is enabled, a parseable URL for the redis store. */
const crossKeyProblems = (
  value: unknown,
  unsetAt: (path: string) => { readonly variable: string } | undefined,
): Array<string> => {
  const problems: Array<string> = []
  const missing = (path: string, otherwise: string) => {
    const variable = unsetAt(path)?.variable
    problems.push(
      variable === undefined
        ? `${path}: ${otherwise}`
        : `${path}: environment variable ${variable} is not set`,
    )
  }
  if (field(value, "channels", "dingtalk", "enabled") === true)
    for (const key of REQUIRED_WHEN_ENABLED)
      if (field(value, "channels", "dingtalk", key) === undefined)
        missing(`channels.dingtalk.${key}`, "required when the channel is enabled")
  if (field(value, "store", "kind") === "redis") {
    const url = field(value, "store", "url")
    if (url === undefined || url === "") missing("store.url", 'required when store.kind is "redis"')
    else if (typeof url === "string" && parseRedisUrl(url) === undefined)
      problems.push("store.url: not a redis:// or rediss:// URL")
  }
  return problems
}

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
  // Every problem at once, so one edit can fix them all: unset variables (one must not quietly empty a list — an
  // allowlist that refuses everyone — or drop a key — an open API), the schema's, then the rules between keys
  // (checked on what was written even when some other key failed to decode).
  const problems = unset.map((entry) => `${entry.path}: environment variable ${entry.variable} is not set`)
  const reported = new Set(unset.map((entry) => entry.path))
  const pathOf = (problem: string) => problem.slice(0, problem.indexOf(":"))
  const decoded = Schema.decodeUnknownResult(ConfigFile, { onExcessProperty: "error", errors: "all" })(value)
  if (Result.isFailure(decoded))
    for (const issue of formatIssues(decoded.failure.issue).issues) {
      const path = (issue.path ?? []).map(String).join(".")
      if (!reported.has(path)) problems.push(`${path === "" ? "(top level)" : path}: ${issue.message}`)
    }
  const defaultedAt = (path: string) => defaulted.find((entry) => entry.path === path)
  for (const problem of crossKeyProblems(value, defaultedAt))
    if (!reported.has(pathOf(problem)) && !problems.includes(problem)) problems.push(problem)
  if (problems.length > 0 || Result.isFailure(decoded)) throw new ConfigError(problems, source)
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
