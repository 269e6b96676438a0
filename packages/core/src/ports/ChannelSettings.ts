import { Context } from "effect"

export type GroupPolicy = "mention" | "all"

/** markdown: one message with the whole answer; card: an AI card that fills in while the agent streams. */
export type ReplyMode = "markdown" | "card"

/** At most one card update per card in this long; deltas in between are sent together. */
export const CARD_UPDATE_INTERVAL_MS = 300

export interface Allowlists {
  /** When set, only these DM senders (staffId or dingtalkId) are answered. */
  readonly dmSenders?: ReadonlyArray<string>
  /** When set, only these group conversationIds are answered. */
  readonly groups?: ReadonlyArray<string>
  /** When set, only these senders are answered in groups. */
  readonly groupSenders?: ReadonlyArray<string>
}

export interface ChannelSettingsShape {
  readonly robotCode: string
  readonly groupPolicy: GroupPolicy
  readonly allowlists: Allowlists
  /** Treat a session webhook as expired this long before DingTalk does. */
  readonly webhookExpiryMarginMs: number
  /** Conversations handled at once; messages of one conversation are always handled in order. */
  readonly maxConcurrentConversations: number
  /** Replies longer than this (in characters) are truncated with a visible notice. */
  readonly maxReplyChars: number
  /** One agent session per group member instead of one per group. Default false. */
  readonly sessionPerUserInGroups?: boolean
  /** Default markdown. */
  readonly replyMode?: ReplyMode
  /** Default CARD_UPDATE_INTERVAL_MS. */
  readonly cardUpdateIntervalMs?: number
}

export class ChannelSettings extends Context.Service<ChannelSettings, ChannelSettingsShape>()(
  "@openpollen/core/ChannelSettings",
) {}
