export type ConversationKind = "dm" | "group"

export interface Conversation {
  /** `cid…==`; base64 and case-sensitive, never normalise it. */
  readonly id: string
  readonly kind: ConversationKind
  readonly title?: string
}

export interface Sender {
  /** The sender's dingtalkId (`$:LWCP_v1:$…`). */
  readonly id: string
  /** Org-internal id that `at.atUserIds` and `batchSend.userIds` expect; absent for users of another org. */
  readonly staffId?: string
  readonly nick: string
}

export type Attachment =
  | { readonly kind: "picture"; readonly downloadCode: string }
  | {
      readonly kind: "audio"
      readonly downloadCode: string
      readonly recognition?: string
      readonly durationMs?: number
    }
  | {
      readonly kind: "video"
      readonly downloadCode: string
      readonly durationSeconds?: number
      readonly videoType?: string
    }
  | {
      readonly kind: "file"
      readonly downloadCode: string
      readonly fileName: string
      readonly fileId?: string
      readonly spaceId?: string
    }

/** The message a reply quotes; its pictures and files are downloaded like the reply's own. */
export interface QuotedMessage {
  readonly msgId?: string
  readonly text: string
  readonly attachments: ReadonlyArray<Attachment>
}

export interface ReplyRoute {
  readonly sessionWebhook: string
  /** Epoch ms after which the webhook answers errcode 300001. */
  readonly expiresAt: number
}

export type InboundMessageType =
  | "text"
  | "picture"
  | "richText"
  | "audio"
  | "video"
  | "file"
  | "markdown"
  | "chatRecord"
  | "interactiveCard"
  /** A type the bot cannot read (DingTalk's `unknownMsgType`, or one this code does not know). */
  | "unknown"

export interface InboundMessage {
  /** `data.msgId`: the message's identity across redeliveries. */
  readonly messageId: string
  readonly type: InboundMessageType
  readonly robotCode?: string
  readonly chatbotUserId: string
  readonly conversation: Conversation
  readonly sender: Sender
  readonly text: string
  readonly attachments: ReadonlyArray<Attachment>
  readonly mentionedBot: boolean
  /** Epoch ms. */
  readonly createdAt: number
  readonly replyRoute?: ReplyRoute
  readonly quoted?: QuotedMessage
}
