import {
  capText,
  decodeCallback,
  INBOUND_CAP_NOTICE,
  MAX_AGENT_OUTPUT_CHARS,
  MAX_INBOUND_TEXT_CHARS,
} from "@openpollen/core"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { loadFixture } from "../fixtures/loadFixture.js"

describe("capText", () => {
  it("leaves text within the cap untouched", () => {
    expect(capText("短文本", 10, "!")).toEqual({ text: "短文本", capped: false })
  })

  it("cuts at a grapheme boundary and appends the notice", () => {
    const family = "👩‍👩‍👧"
    const capped = capText(`abc${family}def`, 5, "…")
    expect(capped).toEqual({ text: "abc…", capped: true })
  })

  it("caps 20 MB of CJK quickly and without reading past the cap", () => {
    const huge = "中".repeat(20 * 1024 * 1024)
    capText(huge.slice(0, MAX_AGENT_OUTPUT_CHARS + 10), MAX_AGENT_OUTPUT_CHARS, "…")
    const start = process.cpuUsage()
    const capped = capText(huge, MAX_AGENT_OUTPUT_CHARS, "…")
    const used = process.cpuUsage(start)
    expect((used.user + used.system) / 1_000).toBeLessThan(100)
    expect(capped.text.length).toBe(MAX_AGENT_OUTPUT_CHARS + 1)
  })
})

describe("decodeCallback caps inbound text", () => {
  it("keeps 64 Ki characters of a huge text message, with a visible notice", () => {
    const payload = loadFixture("dm-text") as { text: { content: string } }
    const huge = { ...payload, text: { content: "字".repeat(3_000_000) } }
    const result = decodeCallback(huge)
    if (Result.isFailure(result)) throw new Error(result.failure.message)
    expect(result.success.text).toBe(`${"字".repeat(MAX_INBOUND_TEXT_CHARS)}${INBOUND_CAP_NOTICE}`)
  })
})
