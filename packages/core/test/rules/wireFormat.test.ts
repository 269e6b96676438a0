import {
  type MarkdownMessage,
  sampleMarkdownParam,
  textCost,
  utf8Bytes,
  WIRE_LIMITS,
  webhookBody,
  wireSize,
} from "@openpollen/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const message: MarkdownMessage = { title: "标题", text: "你好 **world**", atUserIds: ["staff1"] }
const bytes = (text: string): number => new TextEncoder().encode(text).length

describe("wireFormat", () => {
  it("builds the exact session webhook body", () => {
    expect(webhookBody(message)).toEqual({
      msgtype: "markdown",
      markdown: { title: "标题", text: "你好 **world**" },
      at: { atUserIds: ["staff1"], isAtAll: false },
    })
  })

  it("builds the Open API msgParam string without the mentions", () => {
    expect(JSON.parse(sampleMarkdownParam(message))).toEqual({ title: "标题", text: "你好 **world**" })
  })

  it("measures UTF-8 bytes of what each route sends", () => {
    expect(wireSize("webhook", message)).toBe(bytes(JSON.stringify(webhookBody(message))))
    expect(wireSize("group", message)).toBe(bytes(sampleMarkdownParam(message)))
    expect(wireSize("users", message)).toBeGreaterThan(wireSize("group", message) + 20 * 24)
  })

  it("counts UTF-8 bytes exactly as an encoder does, lone surrogates included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(utf8Bytes(text)).toBe(bytes(text))
      }),
      { numRuns: 2_000 },
    )
    expect(utf8Bytes("a\u00e9\u4f60\u{1f600}\ud800x\udc00")).toBe(
      bytes("a\u00e9\u4f60\u{1f600}\ud800x\udc00"),
    )
  })

  it("counts a Chinese character as three bytes", () => {
    const ascii = wireSize("webhook", { ...message, text: "a".repeat(100) })
    const chinese = wireSize("webhook", { ...message, text: "中".repeat(100) })
    expect(chinese - ascii).toBe(200)
  })

  it("keeps the documented limits", () => {
    expect(WIRE_LIMITS).toEqual({
      webhookBodyBytes: 20_000,
      groupMsgParamBytes: 15_000,
      usersBodyBytes: 20_000,
    })
  })

  it("grows by at least the text's own bytes on every route", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        const empty = { ...message, text: "" }
        const withText = { ...message, text }
        for (const route of ["webhook", "group", "users"] as const) {
          expect(wireSize(route, withText) - wireSize(route, empty)).toBeGreaterThanOrEqual(bytes(text))
        }
      }),
      { numRuns: 50 },
    )
  })

  it("prices a piece of text on each route exactly as it adds to the wire", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 200 }),
        fc.constantFrom("webhook" as const, "group" as const, "users" as const),
        (piece, route) => {
          const empty = { title: "t", text: "", atUserIds: [] }
          expect(textCost(route, piece)).toBe(
            wireSize(route, { ...empty, text: piece }) - wireSize(route, empty),
          )
        },
      ),
      { numRuns: 200 },
    )
  })
})
