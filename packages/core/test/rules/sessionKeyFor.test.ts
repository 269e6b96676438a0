import { dedupeKey, sessionKeyFor } from "@openpollen/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { arbitraryMessage, inboundMessage } from "./arbitraries.js"

const dm = inboundMessage({ conversation: { id: "cidDm==", kind: "dm" } })
const group = inboundMessage({ conversation: { id: "cidGroup==", kind: "group" } })

describe("sessionKeyFor", () => {
  it("keys a DM by its sender", () => {
    expect(sessionKeyFor(dm, { perUserInGroups: false })).toBe(`dm:${dm.sender.id}`)
    expect(sessionKeyFor(dm, { perUserInGroups: true })).toBe(`dm:${dm.sender.id}`)
  })

  it("keys a group by its conversation, or by conversation and sender", () => {
    expect(sessionKeyFor(group, { perUserInGroups: false })).toBe("group:cidGroup==")
    expect(sessionKeyFor(group, { perUserInGroups: true })).toBe(`group:cidGroup==:${group.sender.id}`)
  })

  it("never gives a DM and a group the same key", () => {
    fc.assert(
      fc.property(arbitraryMessage, arbitraryMessage, fc.boolean(), (a, b, perUser) => {
        if (a.conversation.kind !== b.conversation.kind) {
          expect(sessionKeyFor(a, { perUserInGroups: perUser })).not.toBe(
            sessionKeyFor(b, { perUserInGroups: perUser }),
          )
        }
      }),
    )
  })
})

describe("dedupeKey", () => {
  const at = 1_764_489_600_123
  it("scopes the msgId by robot", () => {
    expect(dedupeKey("dingRobot", { messageId: "msgA", createdAt: at })).toBe("dingRobot:1764489600123:msgA")
    expect(dedupeKey("robotA", { messageId: "m", createdAt: at })).not.toBe(
      dedupeKey("robotB", { messageId: "m", createdAt: at }),
    )
  })

  it("sorts one robot's keys by the messages' creation time, whatever their msgIds", () => {
    const messages = [
      { messageId: "msgZZ", createdAt: at },
      { messageId: "msgAA", createdAt: at + 1 },
      { messageId: "msgMM", createdAt: at + 1_000 },
    ]
    const keys = messages.map((message) => dedupeKey("dingRobot", message))
    expect([...keys].sort()).toEqual(keys)
  })
})
