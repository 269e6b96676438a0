import { graphemes, leadingGraphemes } from "@openpollen/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { markdownText } from "./arbitraries.js"

describe("leadingGraphemes", () => {
  it("keeps an emoji ZWJ sequence whole at the cut", () => {
    expect(leadingGraphemes("ab👩‍👩‍👧‍👦cd", 3)).toBe("ab👩‍👩‍👧‍👦")
  })

  it("agrees with a full segmentation for any text and count", () => {
    fc.assert(
      fc.property(markdownText(200), fc.nat(40), (text, count) => {
        expect(leadingGraphemes(text, count)).toBe(graphemes(text).slice(0, count).join(""))
      }),
    )
  })
})
