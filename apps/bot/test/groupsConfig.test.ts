import { FRIENDLY_REPLIES } from "@openpollen/core"
import { describe, expect, it } from "vitest"
import { ConfigError, parseConfig } from "../src/config/loadConfig.js"

describe("per-group settings, refusals and unsupported types in openpollen.json", () => {
  it("defaults: no groups, silent refusals, the bilingual one-liner for unreadable types", () => {
    const { dingtalk } = parseConfig("{}", {})
    expect(dingtalk.groups).toEqual({})
    expect(dingtalk.refusalMessage).toBeUndefined()
    expect(dingtalk.unsupportedMessageReply).toBe(FRIENDLY_REPLIES.unsupportedMessage)
  })

  it("reads groups by conversationId and '*', the refusal line, and a custom one-liner", () => {
    const { dingtalk } = parseConfig(
      `{ channels: { dingtalk: {
          groups: { "*": { groupPolicy: "all", replyMode: "card" }, "cidK4wQ8zN1pR6tY2mX9vB3sLg==": { enabled: false, systemPrompt: "\${PROMPT}" } },
          refusalMessage: "抱歉，你没有使用权限。",
          unsupportedMessageReply: "只收文字",
        } } }`,
      { PROMPT: "你是运维助手" },
    )
    expect(dingtalk.groups).toEqual({
      "*": { groupPolicy: "all", replyMode: "card" },
      "cidK4wQ8zN1pR6tY2mX9vB3sLg==": { enabled: false, systemPrompt: "你是运维助手" },
    })
    expect(dingtalk.refusalMessage).toBe("抱歉，你没有使用权限。")
    expect(dingtalk.unsupportedMessageReply).toBe("只收文字")
  })

  // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
  it('keeps a written "" for unsupportedMessageReply (stay silent), while an empty ${VAR} means the default', () => {
    expect(
      parseConfig('{ channels: { dingtalk: { unsupportedMessageReply: "" } } }', {}).dingtalk,
    ).toMatchObject({
      unsupportedMessageReply: "",
    })
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
    const fromEnv = parseConfig('{ channels: { dingtalk: { unsupportedMessageReply: "${R:-}" } } }', {})
    expect(fromEnv.dingtalk.unsupportedMessageReply).toBe(FRIENDLY_REPLIES.unsupportedMessage)
  })

  it("names the key of a bad group setting", () => {
    expect(() =>
      parseConfig('{ channels: { dingtalk: { groups: { "cidX==": { groupPolicy: "sometimes" } } } } }', {}),
    ).toThrow(ConfigError)
    expect(() =>
      parseConfig('{ channels: { dingtalk: { groups: { "cidX==": { replyMode: "voice" } } } } }', {}),
    ).toThrow(/channels\.dingtalk\.groups\.cidX==\.replyMode/)
  })
})
