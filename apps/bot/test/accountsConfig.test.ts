import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { ConfigError, parseConfig } from "../src/config/loadConfig.js"

const parse = (config: unknown, env: Record<string, string> = {}) =>
  parseConfig(JSON.stringify(config), env, "test.json")

const problems = (config: unknown, env: Record<string, string> = {}) => {
  try {
    parse(config, env)
    return []
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
}

const app = (id: string) => ({ clientId: `ding${id}app`, clientSecret: `secret-of-${id}` })

describe("channels.dingtalk.accounts", () => {
  it("reads the single-account form as one account named default, with the channel's settings", () => {
    const config = parse({ channels: { dingtalk: { enabled: true, ...app("one"), groupPolicy: "all" } } })
    expect(config.accounts).toHaveLength(1)
    const [account] = config.accounts
    expect(account?.name).toBe("default")
    expect(account?.credentials).toMatchObject({ clientId: "dingoneapp", robotCode: "dingoneapp" })
    expect(account?.dingtalk).toEqual(config.dingtalk)
    expect(config.store.kind).toBe("sqlite")
  })

  it("has no account without credentials (the sandbox) and keeps the memory store for it", () => {
    const config = parse({ channels: { dingtalk: { groupPolicy: "all" } } })
    expect(config.accounts).toEqual([])
    expect(config.store.kind).toBe("memory")
  })

  it("gives each account the channel's keys it leaves out; card, allowlists and groups merge key by key", () => {
    const config = parse({
      channels: {
        dingtalk: {
          enabled: true,
          groupPolicy: "all",
          replyMode: "card",
          maxReplyChars: 900,
          card: { templateId: "tpl.schema", qps: 5 },
          allowlists: { dmSenders: ["alice"], groups: ["cidA=="] },
          groups: { "*": { systemPrompt: "be brief" }, "cidA==": { replyMode: "markdown" } },
          accounts: {
            sales: {
              ...app("sales"),
              robotCode: "salesrobot",
              replyMode: "markdown",
              card: { qps: 9 },
              allowlists: { groups: ["cidB=="] },
              groups: { "cidB==": { enabled: false } },
            },
            support: app("support"),
          },
        },
      },
    })
    expect(config.accounts.map((account) => account.name)).toEqual(["sales", "support"])
    const [sales, support] = config.accounts
    expect(sales?.credentials).toMatchObject({ clientId: "dingsalesapp", robotCode: "salesrobot" })
    expect(Redacted.value(sales?.credentials.clientSecret ?? Redacted.make(""))).toBe("secret-of-sales")
    expect(sales?.dingtalk).toMatchObject({
      enabled: true,
      groupPolicy: "all",
      replyMode: "markdown",
      maxReplyChars: 900,
      card: { templateId: "tpl.schema", qps: 9 },
      allowlists: { dmSenders: ["alice"], groups: ["cidB=="] },
      groups: {
        "*": { systemPrompt: "be brief" },
        "cidA==": { replyMode: "markdown" },
        "cidB==": { enabled: false },
      },
    })
    expect(sales?.dingtalk.credentials?.clientId).toBe("dingsalesapp")
    expect(support?.dingtalk).toMatchObject({ replyMode: "card", card: { templateId: "tpl.schema", qps: 5 } })
    expect(support?.credentials.robotCode).toBe("dingsupportapp")
  })

  it("lists the default account (credentials on channels.dingtalk) first, then the named ones", () => {
    const config = parse({
      channels: { dingtalk: { enabled: true, ...app("main"), accounts: { extra: app("extra") } } },
    })
    expect(config.accounts.map((account) => [account.name, account.credentials.clientId])).toEqual([
      ["default", "dingmainapp"],
      ["extra", "dingextraapp"],
    ])
  })

  it("lets an account turn itself off", () => {
    const config = parse({
      channels: {
        dingtalk: { enabled: true, accounts: { a: app("a"), b: { ...app("b"), enabled: false } } },
      },
    })
    expect(config.accounts.map((account) => account.dingtalk.enabled)).toEqual([true, false])
  })

  // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
  it("substitutes ${VAR} per account and names the account's key when a variable is unset", () => {
    const accounts = {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
      a: { clientId: "${A_ID}", clientSecret: "${A_SECRET}" },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
      b: { clientId: "${B_ID}", clientSecret: "${B_SECRET}" },
    }
    const config = { channels: { dingtalk: { enabled: true, accounts } } }
    const env = { A_ID: "dingaaaa", A_SECRET: "sa", B_ID: "dingbbbb", B_SECRET: "sb" }
    expect(parse(config, env).accounts.map((account) => account.credentials.clientId)).toEqual([
      "dingaaaa",
      "dingbbbb",
    ])
    const { B_SECRET: _, ...withoutB } = env
    expect(problems(config, withoutB)).toEqual([
      "channels.dingtalk.accounts.b.clientSecret: environment variable B_SECRET is not set",
    ])
  })

  it("refuses two accounts of one app, naming the account that has it", () => {
    const found = problems({
      channels: {
        dingtalk: {
          enabled: true,
          accounts: { first: app("same"), second: { ...app("same"), robotCode: "x" } },
        },
      },
    })
    expect(found).toEqual([
      `channels.dingtalk.accounts.second.clientId: dings…app is already account "first"'s; two accounts cannot serve one app`,
    ])
  })

  it("refuses two accounts of one robot and an account that repeats the default's app", () => {
    expect(
      problems({
        channels: {
          dingtalk: {
            enabled: true,
            ...app("main"),
            accounts: { a: { ...app("a"), robotCode: "dingmainapp" }, b: app("main") },
          },
        },
      }),
    ).toEqual([
      `channels.dingtalk.accounts.a.robotCode: dingm…app is already account "default"'s; two accounts cannot serve one robot`,
      `channels.dingtalk.accounts.b.clientId: dingm…app is already account "default"'s; two accounts cannot serve one app`,
    ])
  })

  it("requires both credentials of every account", () => {
    expect(
      problems({ channels: { dingtalk: { enabled: true, accounts: { a: { clientId: "dingaaaa" } } } } }),
    ).toEqual(["channels.dingtalk.accounts.a.clientSecret: required: every account is its own app"])
  })

  it("refuses an account named default beside credentials on channels.dingtalk", () => {
    expect(
      problems({ channels: { dingtalk: { ...app("main"), accounts: { default: app("other") } } } }),
    ).toEqual([
      'channels.dingtalk.accounts.default: the account "default" is already the clientId/clientSecret written on channels.dingtalk; move them into it or rename this account',
    ])
  })

  it("refuses an account name that is not a safe identifier", () => {
    const found = problems({ channels: { dingtalk: { accounts: { "sales team": app("s") } } } })
    expect(found).toHaveLength(1)
    expect(found[0]).toBe(
      "channels.dingtalk.accounts.sales team: an account name is a letter, then up to 31 letters, digits, - or _",
    )
  })

  it("refuses process-wide keys inside an account", () => {
    const found = problems({
      channels: { dingtalk: { accounts: { a: { ...app("a"), apiBase: "http://127.0.0.1:1" } } } },
    })
    expect(found).toEqual([expect.stringMatching(/^channels\.dingtalk\.accounts\.a\.apiBase: /)])
  })
})
