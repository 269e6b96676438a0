import { evaluatePolicy, type PolicySettings } from "@openpollen/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { arbitraryMessage, BOT, inboundMessage } from "./arbitraries.js"

const mention: PolicySettings = { groupPolicy: "mention", allowlists: {} }
const all: PolicySettings = { groupPolicy: "all", allowlists: {} }
const dm = inboundMessage({ conversation: { id: "cidDm==", kind: "dm" }, mentionedBot: false })
const groupUnmentioned = inboundMessage({ mentionedBot: false })

describe("evaluatePolicy", () => {
  it.each([
    ["a DM", dm, mention, { _tag: "Accept", reason: "dm" }],
    [
      "a group @mention under 'mention'",
      inboundMessage(),
      mention,
      { _tag: "Accept", reason: "group-mention" },
    ],
    [
      "a group message without @ under 'mention'",
      groupUnmentioned,
      mention,
      { _tag: "Ignore", reason: "not-mentioned" },
    ],
    ["a group message without @ under 'all'", groupUnmentioned, all, { _tag: "Accept", reason: "group-all" }],
    [
      "the bot's own message",
      inboundMessage({ sender: { id: BOT, nick: "bot" } }),
      all,
      { _tag: "Ignore", reason: "own-message" },
    ],
  ] as const)("%s", (_name, message, settings, expected) => {
    expect(evaluatePolicy(message, settings)).toEqual(expected)
  })

  it("applies allowlists only when they are set, matching staffId or dingtalkId", () => {
    const dmOnly = (dmSenders: ReadonlyArray<string>) => ({ ...mention, allowlists: { dmSenders } })
    expect(evaluatePolicy(dm, dmOnly(["staff-alice"]))._tag).toBe("Accept")
    expect(evaluatePolicy(dm, dmOnly(["$:LWCP_v1:$alice=="]))._tag).toBe("Accept")
    expect(evaluatePolicy(dm, dmOnly(["staff-bob"]))).toEqual({
      _tag: "Ignore",
      reason: "dm-sender-not-allowed",
    })
    expect(evaluatePolicy(dm, dmOnly([]))).toEqual({ _tag: "Ignore", reason: "dm-sender-not-allowed" })
    expect(evaluatePolicy(inboundMessage(), { ...all, allowlists: { groups: ["cidOther=="] } })).toEqual({
      _tag: "Ignore",
      reason: "group-not-allowed",
    })
    expect(evaluatePolicy(inboundMessage(), { ...all, allowlists: { groupSenders: ["staff-bob"] } })).toEqual(
      {
        _tag: "Ignore",
        reason: "group-sender-not-allowed",
      },
    )
    expect(
      evaluatePolicy(inboundMessage(), { ...mention, allowlists: { groups: ["cidGroup=="] } })._tag,
    ).toBe("Accept")
  })

  it("holds its invariants for every message", () => {
    fc.assert(
      fc.property(arbitraryMessage, fc.constantFrom(mention, all), (message, settings) => {
        const decision = evaluatePolicy(message, settings)
        if (message.sender.id === BOT) return decision.reason === "own-message"
        if (message.conversation.kind === "dm") return decision._tag === "Accept"
        if (settings.groupPolicy === "all") return decision._tag === "Accept"
        return decision._tag === (message.mentionedBot ? "Accept" : "Ignore")
      }),
    )
  })
})
