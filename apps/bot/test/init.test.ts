import { FRIENDLY_REPLIES } from "@openpollen/core"
import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { configTemplate } from "../src/commands/init.js"
import { configJsonSchema } from "../src/commands/schema.js"
import { ConfigError, parseConfig } from "../src/config/loadConfig.js"

describe("openpollen init's template", () => {
  it("is plain JSON naming its schema, and reads the secrets from the environment", () => {
    const text = configTemplate({ groupPolicy: "all", agent: "openai", enabled: true })
    expect(JSON.parse(text)).toMatchObject({ $schema: "./openpollen.schema.json" })
    expect(text).not.toMatch(/secret-value/)
    const config = parseConfig(
      text,
      { DINGTALK_CLIENT_ID: "dingabc123456", DINGTALK_CLIENT_SECRET: "secret-value", OPENAI_API_KEY: "sk-1" },
      "openpollen.json",
    )
    expect(config.dingtalk.enabled).toBe(true)
    expect(config.dingtalk.groupPolicy).toBe("all")
    expect(config.dingtalk.credentials?.robotCode).toBe("dingabc123456")
    expect(config.dingtalk.credentials && Redacted.value(config.dingtalk.credentials.clientSecret)).toBe(
      "secret-value",
    )
    expect(config.agent.provider).toBe("openai")
    expect(config.gateway).toMatchObject({ host: "127.0.0.1", port: 18_800 })
  })

  it("names the missing variables when the channel is enabled without them", () => {
    const text = configTemplate({ groupPolicy: "mention", agent: "echo", enabled: true })
    let problems: ReadonlyArray<string> = []
    try {
      parseConfig(text, {}, "openpollen.json")
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems
    }
    expect(problems).toEqual([
      "channels.dingtalk.clientId: environment variable DINGTALK_CLIENT_ID is not set",
      "channels.dingtalk.clientSecret: environment variable DINGTALK_CLIENT_SECRET is not set",
    ])
  })

  it("disabled and without variables, it loads with the sandbox defaults", () => {
    const config = parseConfig(configTemplate({ groupPolicy: "mention", agent: "echo", enabled: false }), {})
    expect(config.dingtalk.enabled).toBe(false)
    expect(config.dingtalk.credentials).toBeUndefined()
    expect(config.agent).toEqual({ provider: "echo", echo: { chunkDelayMs: 0 } })
  })

  it("covers per-group settings, the refusal line and the answer to unreadable types", () => {
    const text = configTemplate({ groupPolicy: "mention", agent: "echo", enabled: false })
    // Plain JSON has no commented-out examples: the schema the file names describes the optional keys to editors.
    const schema = JSON.stringify(configJsonSchema())
    expect(schema).toContain("refusalMessage")
    expect(schema).toContain("systemPrompt")
    const config = parseConfig(text, {})
    expect(config.dingtalk.groups).toEqual({ "*": { enabled: true } })
    expect(config.dingtalk.unsupportedMessageReply).toBe(FRIENDLY_REPLIES.unsupportedMessage)
    expect(config.dingtalk.refusalMessage).toBeUndefined()
    const written = JSON.parse(text) as { channels: { dingtalk: Record<string, unknown> } }
    written.channels.dingtalk.refusalMessage = "抱歉，你没有使用这个机器人的权限。"
    const refusing = parseConfig(JSON.stringify(written), {})
    expect(refusing.dingtalk.refusalMessage).toBe("抱歉，你没有使用这个机器人的权限。")
  })

  it("with accounts, writes one robot per name reading its own variables, and loads as those accounts", () => {
    const text = configTemplate({
      groupPolicy: "mention",
      agent: "echo",
      enabled: true,
      accounts: ["sales", "hr-cn"],
    })
    const config = parseConfig(text, {
      SALES_CLIENT_ID: "dingsales001",
      SALES_CLIENT_SECRET: "s1",
      HR_CN_CLIENT_ID: "dinghr000001",
      HR_CN_CLIENT_SECRET: "s2",
    })
    expect(config.accounts.map((account) => [account.name, account.credentials.clientId])).toEqual([
      ["sales", "dingsales001"],
      ["hr-cn", "dinghr000001"],
    ])
    let problems: ReadonlyArray<string> = []
    try {
      parseConfig(text, { SALES_CLIENT_ID: "dingsales001", SALES_CLIENT_SECRET: "s1" })
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems
    }
    expect(problems).toEqual([
      "channels.dingtalk.accounts.hr-cn.clientId: environment variable HR_CN_CLIENT_ID is not set",
      "channels.dingtalk.accounts.hr-cn.clientSecret: environment variable HR_CN_CLIENT_SECRET is not set",
    ])
  })
})
