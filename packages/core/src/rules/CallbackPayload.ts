import * as Schema from "effect/Schema"

const optional = <S extends Schema.Top>(schema: S) => Schema.optional(Schema.NullOr(schema))

/** DingTalk sends some numbers as strings (`duration`), and tolerating both costs nothing. */
export const LooseNumber = Schema.Union([Schema.Finite, Schema.FiniteFromString])

const AtUser = Schema.Struct({ dingtalkId: optional(Schema.String), staffId: optional(Schema.String) })

export const RepliedMessage = Schema.Struct({
  msgId: optional(Schema.String),
  msgType: optional(Schema.String),
  content: optional(Schema.Unknown),
})

export const TextContent = Schema.Struct({
  content: Schema.String,
  isReplyMsg: optional(Schema.Boolean),
  repliedMsg: optional(RepliedMessage),
})

export const LegacyQuote = Schema.Struct({
  msgId: optional(Schema.String),
  msgtype: optional(Schema.String),
  text: optional(Schema.Struct({ content: optional(Schema.String) })),
})

/** The fields every robot callback shares (docs/dingtalk/message-kinds.md); unknown keys are tolerated. */
export const CallbackEnvelope = Schema.Struct({
  msgId: Schema.String,
  msgtype: Schema.String,
  createAt: LooseNumber,
  conversationType: Schema.Literals(["1", "2"]),
  conversationId: Schema.String,
  conversationTitle: optional(Schema.String),
  senderId: Schema.String,
  senderStaffId: optional(Schema.String),
  senderNick: optional(Schema.String),
  chatbotUserId: Schema.String,
  robotCode: optional(Schema.String),
  sessionWebhook: optional(Schema.String),
  sessionWebhookExpiredTime: optional(LooseNumber),
  isInAtList: optional(Schema.Boolean),
  atUsers: optional(Schema.Array(AtUser)),
  text: optional(TextContent),
  quoteMessage: optional(LegacyQuote),
  content: optional(Schema.Unknown),
})
export type CallbackEnvelope = typeof CallbackEnvelope.Type

export const PictureContent = Schema.Struct({ downloadCode: Schema.String })

export const RichTextContent = Schema.Struct({ richText: Schema.Array(Schema.Unknown) })

export const RichTextPart = Schema.Struct({
  type: optional(Schema.String),
  text: optional(Schema.String),
  downloadCode: optional(Schema.String),
})

export const AudioContent = Schema.Struct({
  downloadCode: optional(Schema.String),
  recognition: optional(Schema.String),
  duration: optional(LooseNumber),
})

export const VideoContent = Schema.Struct({
  downloadCode: Schema.String,
  duration: optional(LooseNumber),
  videoType: optional(Schema.String),
})

export const FileContent = Schema.Struct({
  downloadCode: Schema.String,
  fileName: Schema.String,
  fileId: optional(Schema.String),
  spaceId: optional(Schema.String),
})

export const UnknownTypeContent = Schema.Struct({ unknownMsgType: optional(Schema.String) })

/** `markdown` messages (sent by other robots, or forwarded): `{title, text}`. */
export const MarkdownContent = Schema.Struct({
  title: optional(Schema.String),
  text: optional(Schema.String),
})

/** One forwarded message of a `chatRecord`; `content` is its text for text-like types. */
export const ChatRecordEntry = Schema.Struct({
  senderNick: optional(Schema.String),
  senderStaffId: optional(Schema.String),
  msgType: optional(Schema.String),
  content: optional(Schema.Unknown),
  fileName: optional(Schema.String),
})

/** `chatRecord` (a forwarded chat history): the entries arrive as a JSON string, in some payloads as an array. */
export const ChatRecordContent = Schema.Struct({
  title: optional(Schema.String),
  summary: optional(Schema.String),
  chatRecord: optional(Schema.Union([Schema.String, Schema.Array(Schema.Unknown)])),
})

/** `interactiveCard` (a shared document or another app's card): only its title, text and link are readable. */
export const InteractiveCardContent = Schema.Struct({
  title: optional(Schema.String),
  text: optional(Schema.String),
  biz_custom_action_url: optional(Schema.String),
})

/** A quoted file, audio or video: the download code is present in newer payloads only. */
export const QuotedMediaContent = Schema.Struct({
  downloadCode: optional(Schema.String),
  fileName: optional(Schema.String),
  recognition: optional(Schema.String),
})
