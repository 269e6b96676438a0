import { DEFAULT_MAX_FILE_BYTES, GROUP_POLICIES } from "@openpollen/core"
import { DOWNLOAD_DEFAULTS, OPENAPI_DEFAULTS } from "@openpollen/openapi/defaults"
import { WEBHOOK_DEFAULTS } from "@openpollen/webhook/defaults"
import { describe, expect, it } from "vitest"
import { ConfigError, parseConfig } from "../src/config/loadConfig.js"

const groupPolicyOf = (value: string) =>
  parseConfig(JSON.stringify({ channels: { dingtalk: { groupPolicy: value } } }), {}, "test.json").dingtalk
    .groupPolicy

describe("the config's defaults come from the adapters that own them", () => {
  it("defaults apiBase to the Open API package's origin and oapiBase to the webhook package's", () => {
    const { dingtalk } = parseConfig("{}", {}, "test.json")
    expect(dingtalk.apiBase).toBe(OPENAPI_DEFAULTS.apiBase)
    expect(dingtalk.apiBase).toBe("https://api.dingtalk.com")
    expect(dingtalk.oapiBase).toBe(WEBHOOK_DEFAULTS.oapiBase)
    expect(dingtalk.oapiBase).toBe("https://oapi.dingtalk.com")
  })

  it("caps downloads at the one 20 MiB default the file stores use too", () => {
    const { dingtalk } = parseConfig("{}", {}, "test.json")
    expect(dingtalk.download.maxBytes).toBe(DOWNLOAD_DEFAULTS.maxBytes)
    expect(DOWNLOAD_DEFAULTS.maxBytes).toBe(DEFAULT_MAX_FILE_BYTES)
    expect(DEFAULT_MAX_FILE_BYTES).toBe(20 * 1024 * 1024)
  })

  it("accepts exactly the group policies core declares", () => {
    for (const policy of GROUP_POLICIES) expect(groupPolicyOf(policy)).toBe(policy)
    expect(() => groupPolicyOf("everyone")).toThrow(ConfigError)
  })
})
