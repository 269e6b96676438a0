import {
  deservesRefusal,
  evaluatePolicy,
  type GroupSettings,
  type PolicySettings,
  settingsForMessage,
} from "@openpollen/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { arbitraryMessage, BOT, inboundMessage } from "./arbitraries.js"

const mention: PolicySettings = { groupPolicy: "mention", allowlists: {} }
const group = inboundMessage()
const dm = inboundMessage({ conversation: { id: "cidDm==", kind: "dm" }, mentionedBot: false })

describe("settingsForMessage", () => {
  it("lays a group's own entry over '*', key by key, over the channel", () => {
    const groups = {
      "*": { groupPolicy: "all", systemPrompt: "默认", replyMode: "card" },
      "cidGroup==": { systemPrompt: "运维" },
    } as const
    expect(settingsForMessage(group.conversation, { groupPolicy: "mention", groups })).toEqual({
      enabled: true,
      groupPolicy: "all",
      systemPrompt: "运维",
      replyMode: "card",
    })
    expect(settingsForMessage(dm.conversation, { groupPolicy: "mention", groups })).toEqual({
      enabled: true,
      groupPolicy: "mention",
    })
  })
})

describe("evaluatePolicy with per-group settings", () => {
  it("ignores a disabled group before anything else but the bot's own message", () => {
    const settings = { ...mention, groups: { "cidGroup==": { enabled: false } } }
    expect(evaluatePolicy(group, settings)).toEqual({ _tag: "Ignore", reason: "group-disabled" })
    expect(evaluatePolicy(group, { ...settings, groups: { "*": { enabled: false } } }).reason).toBe(
      "group-disabled",
    )
    expect(
      evaluatePolicy(group, {
        ...settings,
        groups: { "*": { enabled: false }, "cidGroup==": { enabled: true } },
      })._tag,
    ).toBe("Accept")
    expect(evaluatePolicy(dm, { ...mention, groups: { "*": { enabled: false } } })._tag).toBe("Accept")
  })

  it("uses a group's groupPolicy instead of the channel's", () => {
    const quiet = inboundMessage({ mentionedBot: false })
    expect(evaluatePolicy(quiet, { ...mention, groups: { "cidGroup==": { groupPolicy: "all" } } })).toEqual({
      _tag: "Accept",
      reason: "group-all",
    })
    expect(
      evaluatePolicy(quiet, {
        groupPolicy: "all",
        allowlists: {},
        groups: { "*": { groupPolicy: "mention" } },
      }),
    ).toEqual({ _tag: "Ignore", reason: "not-mentioned" })
  })

  const groupSettings: fc.Arbitrary<GroupSettings> = fc.record(
    { enabled: fc.boolean(), groupPolicy: fc.constantFrom("mention" as const, "all" as const) },
    { requiredKeys: [] },
  )

  it("holds its invariants for every message and group setting", () => {
    fc.assert(
      fc.property(
        arbitraryMessage,
        groupSettings,
        groupSettings,
        fc.boolean(),
        (message, star, own, useOwn) => {
          const groups = { "*": star, ...(useOwn ? { [message.conversation.id]: own } : {}) }
          const decision = evaluatePolicy(message, { ...mention, groups })
          const effective = { ...star, ...(useOwn ? own : {}) }
          if (message.sender.id === BOT) return decision.reason === "own-message"
          if (message.conversation.kind === "dm") return decision._tag === "Accept"
          if (effective.enabled === false) return decision.reason === "group-disabled"
          if ((effective.groupPolicy ?? "mention") === "all") return decision._tag === "Accept"
          return decision._tag === (message.mentionedBot ? "Accept" : "Ignore")
        },
      ),
    )
  })
})

describe("deservesRefusal", () => {
  it("answers allowlist refusals of messages meant for the bot, nothing else", () => {
    const refuse = (message: typeof group, settings: PolicySettings) =>
      deservesRefusal(message, evaluatePolicy(message, settings))
    expect(refuse(dm, { ...mention, allowlists: { dmSenders: [] } })).toBe(true)
    expect(refuse(group, { ...mention, allowlists: { groups: [] } })).toBe(true)
    expect(refuse(group, { ...mention, allowlists: { groupSenders: [] } })).toBe(true)
    expect(
      refuse(inboundMessage({ mentionedBot: false }), { ...mention, allowlists: { groupSenders: [] } }),
    ).toBe(false)
    expect(refuse(group, { ...mention, groups: { "*": { enabled: false } } })).toBe(false)
    expect(refuse(inboundMessage({ mentionedBot: false }), mention)).toBe(false)
    expect(refuse(dm, mention)).toBe(false)
  })

  it("never refuses an accepted message or the bot's own", () => {
    fc.assert(
      fc.property(arbitraryMessage, fc.boolean(), (message, listed) => {
        const settings = { ...mention, allowlists: listed ? { dmSenders: [], groupSenders: [] } : {} }
        const decision = evaluatePolicy(message, settings)
        if (decision._tag === "Accept" || message.sender.id === BOT)
          return !deservesRefusal(message, decision)
        return true
      }),
    )
  })
})
