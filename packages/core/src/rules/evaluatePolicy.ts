import type { InboundMessage } from "../domain/InboundMessage.js"
import type { Allowlists, GroupPolicy, GroupSettings } from "../ports/ChannelSettings.js"
import { settingsForMessage } from "./settingsForMessage.js"

export type PolicyDecision =
  | { readonly _tag: "Accept"; readonly reason: "dm" | "group-mention" | "group-all" }
  | {
      readonly _tag: "Ignore"
      readonly reason:
        | "own-message"
        | "group-disabled"
        | "not-mentioned"
        | "dm-sender-not-allowed"
        | "group-not-allowed"
        | "group-sender-not-allowed"
    }

export interface PolicySettings {
  readonly groupPolicy: GroupPolicy
  readonly allowlists: Allowlists
  readonly groups?: Readonly<Record<string, GroupSettings>>
}

const REFUSED_BY_ALLOWLIST: ReadonlyArray<string> = [
  "dm-sender-not-allowed",
  "group-not-allowed",
  "group-sender-not-allowed",
]

/**
 * Whether a refusal line may answer an ignored message: only an allowlist's refusal of a message meant for the bot
 * (a DM, or a group message that @-mentions it), never a disabled group, a message to others or the bot's own.
 */
export const deservesRefusal = (message: InboundMessage, decision: PolicyDecision): boolean =>
  decision._tag === "Ignore" &&
  REFUSED_BY_ALLOWLIST.includes(decision.reason) &&
  (message.conversation.kind === "dm" || message.mentionedBot)

const listed = (
  list: ReadonlyArray<string> | undefined,
  ...ids: ReadonlyArray<string | undefined>
): boolean => list === undefined || ids.some((id) => id !== undefined && list.includes(id))

/**
 * Decides whether the bot answers a message. A group disabled in `groups` is ignored first; a group's own
 * groupPolicy replaces the channel's. An allowlist that is set — even to an empty list — denies everything
 * it does not name; an absent allowlist allows everyone. A mention is the bot's own (`isInAtList`, or `atUsers`
 * containing `chatbotUserId`), never "someone was mentioned".
 */
export const evaluatePolicy = (message: InboundMessage, settings: PolicySettings): PolicyDecision => {
  const { sender, conversation } = message
  if (sender.id === message.chatbotUserId) return { _tag: "Ignore", reason: "own-message" }
  if (conversation.kind === "dm") {
    return listed(settings.allowlists.dmSenders, sender.staffId, sender.id)
      ? { _tag: "Accept", reason: "dm" }
      : { _tag: "Ignore", reason: "dm-sender-not-allowed" }
  }
  const group = settingsForMessage(conversation, settings)
  if (!group.enabled) return { _tag: "Ignore", reason: "group-disabled" }
  if (!listed(settings.allowlists.groups, conversation.id))
    return { _tag: "Ignore", reason: "group-not-allowed" }
  if (!listed(settings.allowlists.groupSenders, sender.staffId, sender.id))
    return { _tag: "Ignore", reason: "group-sender-not-allowed" }
  if (group.groupPolicy === "all") return { _tag: "Accept", reason: "group-all" }
  return message.mentionedBot
    ? { _tag: "Accept", reason: "group-mention" }
    : { _tag: "Ignore", reason: "not-mentioned" }
}
