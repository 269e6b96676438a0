import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { homedir, tmpdir } from "node:os"
import { join } from "node:path"
import { Redacted } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ConfigError, findConfigFile, loadConfig, parseConfig } from "../src/config/loadConfig.js"
import { substituteEnv } from "../src/config/substituteEnv.js"

const problems = (text: string, env: Record<string, string> = {}) => {
  try {
    parseConfig(text, env, "test.json")
    return []
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
}

describe("substituteEnv", () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
  it("replaces ${VAR} and ${VAR:-default}, drops empty values, and reports unset variables with their key", () => {
    const result = substituteEnv(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
      { a: "${A}", b: "x-${B:-fallback}", c: "${MISSING}", d: { e: ["${A}", "${EMPTY}"] }, n: 3 },
      { A: "alpha", EMPTY: "" },
    )
    expect(result.value).toEqual({ a: "alpha", b: "x-fallback", d: { e: ["alpha"] }, n: 3 })
    expect(result.unset).toEqual([
      { variable: "MISSING", path: "c" },
      { variable: "EMPTY", path: "d.e.1" },
    ])
  })

  it("leaves strings without references untouched and never throws", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = substituteEnv(value, {})
        if (typeof value === "string" && value !== "" && !value.includes("${"))
          expect(result.value).toBe(value)
      }),
    )
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes("$") && s !== ""),
        fc.string({ minLength: 1 }),
        (text, secret) => {
          expect(substituteEnv({ k: `${text}\${S}` }, { S: secret }).value).toEqual({ k: `${text}${secret}` })
        },
      ),
    )
  })
})

describe("parseConfig", () => {
  it("applies defaults: disabled, groupPolicy mention, DingTalk hosts, loopback gateway, echo agent", () => {
    const config = parseConfig("{}", {})
    expect(config.dingtalk).toMatchObject({
      enabled: false,
      groupPolicy: "mention",
      apiBase: "https://api.dingtalk.com",
      oapiBase: "https://oapi.dingtalk.com",
      maxReplyChars: 18_000,
    })
    expect(config.dingtalk.credentials).toBeUndefined()
    expect(config.gateway).toEqual({ host: "127.0.0.1", port: 18_800 })
    expect(config.agent).toEqual({ provider: "echo", echo: { chunkDelayMs: 0 } })
  })

  it("reads JSON5 with comments, substitutes secrets and falls back to the clientId for an empty robotCode", () => {
    const config = parseConfig(
      `// comment
      { channels: { dingtalk: { enabled: true, clientId: "\${ID}", clientSecret: "\${SECRET}", robotCode: "\${ROBOT:-}", groupPolicy: "all", }, }, }`,
      { ID: "dingabc", SECRET: "s3cret" },
    )
    expect(config.dingtalk.credentials?.clientId).toBe("dingabc")
    expect(config.dingtalk.credentials?.robotCode).toBe("dingabc")
    expect(Redacted.value(config.dingtalk.credentials?.clientSecret ?? Redacted.make(""))).toBe("s3cret")
    expect(String(config.dingtalk.credentials?.clientSecret)).not.toContain("s3cret")
    expect(config.dingtalk.groupPolicy).toBe("all")
  })

  it("replies in Markdown by default; card mode takes the card settings, each with its default", () => {
    expect(parseConfig("{}", {}).dingtalk).toMatchObject({
      replyMode: "markdown",
      card: {
        templateId: "382e4302-551d-4880-bf29-a30acfab2e71.schema",
        contentKey: "content",
        updateIntervalMs: 300,
        qps: 20,
      },
    })
    const card = parseConfig(
      `{ channels: { dingtalk: { replyMode: "card", card: { templateId: "mine.schema", updateIntervalMs: 1000 } } } }`,
      {},
    )
    expect(card.dingtalk).toMatchObject({
      replyMode: "card",
      card: { templateId: "mine.schema", contentKey: "content", updateIntervalMs: 1_000, qps: 20 },
    })
    expect(problems(`{ channels: { dingtalk: { replyMode: "cards" } } }`)[0]).toMatch(
      /^channels\.dingtalk\.replyMode: Expected "markdown" \| "card"/,
    )
    expect(problems(`{ channels: { dingtalk: { card: { qps: 0 } } } }`)[0]).toMatch(
      /^channels\.dingtalk\.card\.qps/,
    )
  })

  it("names the unset variable and the key of a required field", () => {
    expect(
      problems(
        `{ channels: { dingtalk: { enabled: true, clientId: "x", clientSecret: "\${DINGTALK_CLIENT_SECRET}" } } }`,
      ),
    ).toEqual(["channels.dingtalk.clientSecret: environment variable DINGTALK_CLIENT_SECRET is not set"])
  })

  it("names the key path and what was expected", () => {
    expect(problems(`{ channels: { dingtalk: { groupPolicy: "some" } } }`)[0]).toMatch(
      /^channels\.dingtalk\.groupPolicy: Expected "mention" \| "all"/,
    )
    expect(problems(`{ gateway: { port: "eighty" } }`)[0]).toMatch(/^gateway\.port: Expected/)
    expect(problems(`{ gateway: { prot: 1 } }`)[0]).toMatch(/^gateway\.prot/)
    expect(problems(`{ channels: `)[0]).toMatch(/not valid JSON5/)
  })

  it("reports every problem at once, each with its key path", () => {
    const found = problems(
      `{
        channels: { dingtalk: { enabled: true, groupPolicy: "some", clientSecret: "\${DINGTALK_CLIENT_SECRET}" } },
        gateway: { port: "eighty", prot: 1 },
        store: { kind: "redis" },
      }`,
    )
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^channels\.dingtalk\.groupPolicy: Expected "mention" \| "all"/),
        expect.stringMatching(/^gateway\.port: Expected/),
        expect.stringMatching(/^gateway\.prot/),
        "channels.dingtalk.clientId: required when the channel is enabled",
        "channels.dingtalk.clientSecret: environment variable DINGTALK_CLIENT_SECRET is not set",
        'store.url: required when store.kind is "redis"',
      ]),
    )
    expect(found).toHaveLength(6)
  })

  it("refuses an idle timeout or keep-alive too short to mean anything, and reads both", () => {
    expect(problems(`{ channels: { dingtalk: { idleTimeoutMs: 5000 } } }`)[0]).toMatch(
      /^channels\.dingtalk\.idleTimeoutMs: Expected a value greater than or equal to 10000/,
    )
    expect(problems(`{ channels: { dingtalk: { keepAliveMs: 10 } } }`)[0]).toMatch(
      /^channels\.dingtalk\.keepAliveMs: Expected a value greater than or equal to 1000/,
    )
    const config = parseConfig(
      `{ channels: { dingtalk: { idleTimeoutMs: 60000, keepAliveMs: 20000 } } }`,
      {},
      "t",
    )
    expect(config.dingtalk).toMatchObject({ idleTimeoutMs: 60_000, keepAliveMs: 20_000 })
    expect(parseConfig("{}", {}, "t").dingtalk).toMatchObject({ idleTimeoutMs: 90_000, keepAliveMs: 15_000 })
  })

  it("keeps answered message ids 24 h unless store.dedupeTtlMs says otherwise, never under 5 minutes", () => {
    expect(parseConfig('{ store: { kind: "sqlite" } }', {}).store).toMatchObject({ dedupeTtlMs: 86_400_000 })
    expect(parseConfig('{ store: { kind: "sqlite", dedupeTtlMs: 300000 } }', {}).store).toMatchObject({
      dedupeTtlMs: 300_000,
    })
    expect(problems('{ store: { kind: "sqlite", dedupeTtlMs: 60000 } }')[0]).toMatch(/^store\.dedupeTtlMs/)
  })

  it("reads a redis store with its URL from the environment, kept Redacted", () => {
    const config = parseConfig(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
      '{ store: { kind: "redis", url: "${REDIS_URL}", leaseMs: 5000 } }',
      { REDIS_URL: "redis://:pw-123@10.0.0.5:6380/2" },
    )
    expect(config.store).toMatchObject({
      kind: "redis",
      keyPrefix: "openpollen:",
      leaseMs: 5_000,
      maxDeliveries: 5,
      historyTtlMs: 604_800_000,
    })
    expect(
      parseConfig('{ store: { kind: "redis", url: "redis://h", maxDeliveries: 2, historyTtlMs: 60000 } }', {})
        .store,
    ).toMatchObject({ maxDeliveries: 2, historyTtlMs: 60_000 })
    expect(problems('{ store: { kind: "redis", url: "redis://h", historyTtlMs: 0 } }')[0]).toMatch(
      /^store\.historyTtlMs/,
    )
    expect(problems('{ store: { kind: "redis", url: "redis://h", maxDeliveries: 0 } }')[0]).toMatch(
      /^store\.maxDeliveries/,
    )
    expect(config.store.kind === "redis" && Redacted.value(config.store.url)).toBe(
      "redis://:pw-123@10.0.0.5:6380/2",
    )
    expect(JSON.stringify(config)).not.toContain("pw-123")
  })

  it("keeps state in a durable SQLite file by default with credentials, and in memory for the sandbox", () => {
    const credentials = '{ channels: { dingtalk: { enabled: true, clientId: "ding1", clientSecret: "s" } }'
    expect(parseConfig(`${credentials} }`, {}).store).toMatchObject({
      kind: "sqlite",
      path: join(homedir(), ".openpollen", "state", "openpollen.sqlite"),
      leaseMs: 30_000,
      maxDeliveries: 5,
      historyTtlMs: 604_800_000,
    })
    expect(parseConfig("{}", {}).store.kind).toBe("memory")
    expect(parseConfig(`${credentials}, store: { kind: "memory" } }`, {}).store.kind).toBe("memory")
    expect(
      parseConfig('{ store: { kind: "sqlite", path: "/srv/bot.sqlite", historyTtlMs: 60000 } }', {}).store,
    ).toMatchObject({ kind: "sqlite", path: "/srv/bot.sqlite", historyTtlMs: 60_000 })
  })

  it('reads the deprecated store.kind "file" as sqlite, with a notice saying so', () => {
    const config = parseConfig('{ store: { kind: "file" } }', {})
    expect(config.store.kind).toBe("sqlite")
    expect(config.notices).toEqual([
      expect.stringMatching(/store\.kind "file" is deprecated: read as "sqlite"/),
    ])
    expect(parseConfig('{ store: { kind: "sqlite" } }', {}).notices).toEqual([])
  })

  it("requires a redis URL, names its variable, and never echoes a URL it cannot parse", () => {
    expect(problems('{ store: { kind: "redis" } }')).toEqual([
      'store.url: required when store.kind is "redis"',
    ])
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
    expect(problems('{ store: { kind: "redis", url: "${REDIS_URL}" } }')).toEqual([
      "store.url: environment variable REDIS_URL is not set",
    ])
    const invalid = problems('{ store: { kind: "redis", url: "http://:pw-123@host" } }')
    expect(invalid).toEqual(["store.url: not a redis:// or rediss:// URL"])
  })

  it("finds the file at --config, then $OPENPOLLEN_CONFIG", () => {
    expect(findConfigFile({ explicit: "a.json", env: { OPENPOLLEN_CONFIG: "/b.json" }, cwd: "/w" })).toBe(
      "/w/a.json",
    )
    expect(findConfigFile({ env: { OPENPOLLEN_CONFIG: "/b.json" }, cwd: "/w" })).toBe("/b.json")
  })

  it("then ./openpollen.json, then ~/.openpollen/openpollen.json, else defaults only", () => {
    const root = mkdtempSync(join(tmpdir(), "openpollen-config-"))
    const home = join(root, "home")
    const work = join(root, "work")
    mkdirSync(join(home, ".openpollen"), { recursive: true })
    mkdirSync(work)
    const previousHome = process.env.HOME
    process.env.HOME = home
    try {
      expect(loadConfig({ env: {}, cwd: work }).source).toBeUndefined()
      writeFileSync(join(home, ".openpollen", "openpollen.json"), "{ gateway: { port: 1 } }")
      expect(loadConfig({ env: {}, cwd: work }).gateway.port).toBe(1)
      writeFileSync(join(work, "openpollen.json"), "{ gateway: { port: 2 } }")
      expect(loadConfig({ env: {}, cwd: work })).toMatchObject({
        source: join(work, "openpollen.json"),
        gateway: { port: 2 },
      })
      expect(findConfigFile({ env: { OPENPOLLEN_CONFIG: "" }, cwd: work })).toBe(
        join(work, "openpollen.json"),
      )
    } finally {
      process.env.HOME = previousHome
      rmSync(root, { recursive: true, force: true })
    }
  })
})

describe("config values that would be silently wrong", () => {
  it("refuses a referenced but unset variable, naming it and its key, in a list or an optional key", () => {
    expect(
      problems(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
        '{ channels: { dingtalk: { allowlists: { dmSenders: ["${ADMINS}"] } } }, gateway: { apiKey: "${GW_KEY}" } }',
      ),
    ).toEqual([
      "channels.dingtalk.allowlists.dmSenders.0: environment variable ADMINS is not set",
      "gateway.apiKey: environment variable GW_KEY is not set",
    ])
  })

  it("accepts an explicit empty default (VAR:-) as an empty value", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
    const config = parseConfig('{ gateway: { apiKey: "${GW_KEY:-}" } }', {})
    expect(config.gateway.apiKey).toBeUndefined()
  })

  it("refuses numbers out of range, with the range in the message", () => {
    expect(problems("{ channels: { dingtalk: { webhookExpiryMarginMs: -1 } } }")).toEqual([
      "channels.dingtalk.webhookExpiryMarginMs: Expected a value between 0 and 3600000",
    ])
    expect(problems("{ channels: { dingtalk: { qps: 100000 } } }")).toEqual([
      "channels.dingtalk.qps: Expected a value between 1 and 1000",
    ])
    expect(problems("{ channels: { dingtalk: { download: { timeoutMs: 5 } } } }")).toEqual([
      "channels.dingtalk.download.timeoutMs: Expected a value between 100 and 3600000",
    ])
    expect(problems("{ agent: { openai: { timeoutMs: 99999999 } } }")).toEqual([
      "agent.openai.timeoutMs: Expected a value between 100 and 3600000",
    ])
    expect(problems('{ store: { kind: "redis", url: "redis://h", leaseMs: 10 } }')).toEqual([
      "store.leaseMs: Expected a value between 1000 and 3600000",
    ])
  })
})
