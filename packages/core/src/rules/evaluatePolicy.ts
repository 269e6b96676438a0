import type { InboundMessage } from "../domain/InboundMessage.js"
import type { Allowlists, GroupPolicy } from "../ports/ChannelSettings.js"

export type PolicyDecision =
  | { readonly _tag: "Accept"; readonly reason: "dm" | "group-mention" | "group-all" }
  | {
      readonly _tag: "Ignore"
      readonly reason:
        | "own-message"
        | "not-mentioned"
        | "dm-sender-not-allowed"
        | "group-not-allowed"
        | "group-sender-not-allowed"
    }

export interface PolicySettings {
  readonly groupPolicy: GroupPolicy
  readonly allowlists: Allowlists
}

const listed = (
  list: ReadonlyArray<string> | undefined,
  ...ids: ReadonlyArray<string | undefined>
): boolean => list === undefined || ids.some((id) => id !== undefined && list.includes(id))

/**
 * Decides whether the bot answers a message. An allowlist that is set — even to an empty list — denies everything
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
  if (!listed(settings.allowlists.groups, conversation.id))
    return { _tag: "Ignore", reason: "group-not-allowed" }
  if (!listed(settings.allowlists.groupSenders, sender.staffId, sender.id))
    return { _tag: "Ignore", reason: "group-sender-not-allowed" }
  if (settings.groupPolicy === "all") return { _tag: "Accept", reason: "group-all" }
  return message.mentionedBot
    ? { _tag: "Accept", reason: "group-mention" }
    : { _tag: "Ignore", reason: "not-mentioned" }
}
