import type { Conversation } from "../domain/InboundMessage.js"
import type { GroupPolicy, GroupSettings, ReplyMode } from "../ports/ChannelSettings.js"

/** Everything that depends on which conversation a message came from, resolved once. */
export interface MessageSettings {
  readonly enabled: boolean
  readonly groupPolicy: GroupPolicy
  readonly systemPrompt?: string
  readonly replyMode?: ReplyMode
}

export interface ConversationSettingsSource {
  readonly groupPolicy: GroupPolicy
  readonly groups?: Readonly<Record<string, GroupSettings>>
}

/**
 * The settings of a message's conversation: a group's own entry in `groups`, key by key over `groups["*"]`, over the
 * channel's settings. DMs use the channel's settings only.
 */
export const settingsForMessage = (
  conversation: Conversation,
  settings: ConversationSettingsSource,
): MessageSettings => {
  const groups = settings.groups ?? {}
  const own = conversation.kind === "group" ? { ...groups["*"], ...groups[conversation.id] } : {}
  return {
    enabled: own.enabled ?? true,
    groupPolicy: own.groupPolicy ?? settings.groupPolicy,
    ...(own.systemPrompt === undefined || own.systemPrompt === "" ? {} : { systemPrompt: own.systemPrompt }),
    ...(own.replyMode === undefined ? {} : { replyMode: own.replyMode }),
  }
}
