import { graphemes, openFenceAt, TRUNCATION_NOTICE, truncateReply } from "@openpollen/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { markdownText } from "./arbitraries.js"

const hasLoneSurrogate = (text: string) =>
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)

describe("truncateReply", () => {
  it("leaves a reply of exactly 18,000 characters untouched", () => {
    const text = "a".repeat(18_000)
    expect(truncateReply(text)).toEqual({ text, truncated: false })
  })

  it("cuts a longer reply to 18,000 characters and appends a visible notice", () => {
    const result = truncateReply("a".repeat(18_001))
    expect(result.truncated).toBe(true)
    expect(result.text).toBe(`${"a".repeat(18_000)}${TRUNCATION_NOTICE}`)
  })

  it("never splits an emoji or a surrogate pair", () => {
    const family = "👩‍👩‍👧"
    const result = truncateReply(`${"a".repeat(9)}${family}${family}`, 10)
    expect(result.text.startsWith(`${"a".repeat(9)}${family}`)).toBe(true)
    expect(result.text).not.toContain(`${family}${family}`)
    expect(hasLoneSurrogate(result.text)).toBe(false)
  })

  it("closes a code fence left open by the cut", () => {
    const result = truncateReply(`intro\n\`\`\`ts\n${"const x = 1\n".repeat(50)}\`\`\`\nafter`, 100)
    const body = result.text.replace(TRUNCATION_NOTICE, "")
    expect(openFenceAt(body)).toBeUndefined()
    expect(body.length).toBeLessThanOrEqual(100)
    expect(body.startsWith("intro\n```ts\nconst x = 1\n")).toBe(true)
    expect(result.text.endsWith(TRUNCATION_NOTICE)).toBe(true)
  })

  it("keeps a prefix, bounds the length and balances fences for any input", () => {
    fc.assert(
      fc.property(markdownText(600), fc.integer({ min: 1, max: 300 }), (text, max) => {
        const result = truncateReply(text, max)
        if (!result.truncated) {
          expect(result.text).toBe(text)
          return
        }
        const body = result.text.slice(0, -TRUNCATION_NOTICE.length)
        expect(result.text.endsWith(TRUNCATION_NOTICE)).toBe(true)
        expect(hasLoneSurrogate(result.text)).toBe(false)
        expect(openFenceAt(body)).toBeUndefined()
        const kept = body.replace(/\n?(`{3,}|~{3,})$/, "")
        expect(text.startsWith(body) || text.startsWith(kept)).toBe(true)
        expect(graphemes(body).length).toBeLessThanOrEqual(max)
        expect(graphemes(kept).length).toBeGreaterThanOrEqual(Math.min(max, graphemes(text).length) - 8)
      }),
    )
  })
})
