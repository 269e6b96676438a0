import * as Context from "effect/Context"

/** In groups: answer only messages that @mention the bot, or every message. */
export const GROUP_POLICIES = ["mention", "all"] as const
export type GroupPolicy = (typeof GROUP_POLICIES)[number]

/** How answers are delivered: Markdown messages, or an AI card streamed in place. */
export type ReplyMode = "markdown" | "card"

/** At most one card update per card in this long; deltas in between are sent together. */
export const CARD_UPDATE_INTERVAL_MS = 300

/** Settings of one group (`groups["<conversationId>"]`), or of every group (`groups["*"]`). */
export interface GroupSettings {
  /** `false`: every message of the group is ignored. Default true. */
  readonly enabled?: boolean
  /** Overrides the channel's groupPolicy in this group. */
  readonly groupPolicy?: GroupPolicy
  /** Given to the agent with every message of this group. */
  readonly systemPrompt?: string
  readonly replyMode?: ReplyMode
}

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
  /** Default markdown; a group's own replyMode (`groups`) wins. */
  readonly replyMode?: ReplyMode
  /** Default CARD_UPDATE_INTERVAL_MS. */
  readonly cardUpdateIntervalMs?: number
  /** Per-group settings by conversationId; `"*"` applies to every group, a group's own entry wins key by key. */
  readonly groups?: Readonly<Record<string, GroupSettings>>
  /** Sent (at most once per sender, conversation and hour) to someone an allowlist refuses. Absent: silence. */
  readonly refusalMessage?: string
  /** The answer to a message type the bot cannot read; `""` stays silent. Absent: the default one-liner. */
  readonly unsupportedMessageReply?: string
}

export class ChannelSettings extends Context.Service<ChannelSettings, ChannelSettingsShape>()(
  "@openpollen/core/ChannelSettings",
) {}
