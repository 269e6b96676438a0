import { cardOutTrackId } from "@openpollen/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

describe("cardOutTrackId", () => {
  it("is the same for the same robotCode and msgId, and plain ASCII", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (robotCode, msgId) => {
        const id = cardOutTrackId(robotCode, msgId)
        expect(cardOutTrackId(robotCode, msgId)).toBe(id)
        expect(id).toMatch(/^op_[0-9a-f]{32}$/)
      }),
    )
  })

  it("differs between messages and between robots", () => {
    const ids = new Set<string>()
    for (let index = 0; index < 20_000; index += 1) ids.add(cardOutTrackId("dingrobot", `msg${index}+/==`))
    expect(ids.size).toBe(20_000)
    expect(cardOutTrackId("a", "bc")).not.toBe(cardOutTrackId("ab", "c"))
  })
})
