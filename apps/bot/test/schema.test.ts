import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { configJsonSchema } from "../src/commands/schema.js"

describe("JSON Schema of openpollen.json", () => {
  it("is generated from the config schema and committed at the repo root, in sync", () => {
    const committed = JSON.parse(
      readFileSync(new URL("../../../openpollen.schema.json", import.meta.url), "utf8"),
    )
    expect(committed).toEqual(configJsonSchema())
  })

  it("describes the DingTalk channel keys for editor completion", () => {
    const schema = configJsonSchema() as unknown as {
      properties: {
        channels: { properties: { dingtalk: { properties: Record<string, { description?: string }> } } }
      }
    }
    const dingtalk = schema.properties.channels.properties.dingtalk.properties
    expect(Object.keys(dingtalk)).toEqual(
      expect.arrayContaining([
        "enabled",
        "clientId",
        "clientSecret",
        "robotCode",
        "groupPolicy",
        "apiBase",
        "oapiBase",
        "groups",
        "refusalMessage",
        "unsupportedMessageReply",
      ]),
    )
    expect(dingtalk.groupPolicy?.description).toContain("@-mentions")
  })
})
