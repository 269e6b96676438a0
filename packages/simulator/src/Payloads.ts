import { ids } from "./ids.js"
import type {
  SendOptions,
  SimApp,
  SimConversation,
  SimQuote,
  SimRecordEntry,
  SimUser,
} from "./SimulatorApi.js"

/** Registers bytes for download and returns their new downloadCode. */
export type RegisterMedia = (bytes: Uint8Array, contentType?: string) => string

export interface PayloadContext {
  readonly app: SimApp
  readonly conversation: SimConversation
  readonly from: SimUser
  readonly createdAt: number
  readonly sessionWebhook: string
  readonly sessionWebhookExpiredTime: number
  readonly options: SendOptions
}

/** The fields every robot callback carries (docs/dingtalk/message-kinds.md), as DingTalk fills them. */
export const envelope = (context: PayloadContext): Record<string, unknown> => {
  const { app, conversation, from, options } = context
  const isGroup = conversation.kind === "group"
  const mentioned = isGroup && (options.mention ?? true)
  const atUsers = [
    ...(mentioned ? [{ dingtalkId: app.chatbotUserId }] : []),
    ...(options.alsoMention ?? []).map((user) => ({
      dingtalkId: user.dingtalkId,
      ...(user.staffId === undefined ? {} : { staffId: user.staffId }),
    })),
  ]
  return {
    conversationId: conversation.id,
    conversationType: isGroup ? "2" : "1",
    ...(isGroup ? { conversationTitle: conversation.title ?? "" } : {}),
    msgId: ids.msgId(),
    createAt: context.createdAt,
    senderNick: from.nick,
    senderId: from.dingtalkId,
    ...(from.staffId === undefined ? {} : { senderStaffId: from.staffId }),
    senderCorpId: app.corpId,
    isAdmin: false,
    chatbotCorpId: app.corpId,
    chatbotUserId: app.chatbotUserId,
    robotCode: app.robotCode,
    sessionWebhook: context.sessionWebhook,
    sessionWebhookExpiredTime: context.sessionWebhookExpiredTime,
    ...(isGroup ? { isInAtList: mentioned, atUsers } : {}),
  }
}

/** `repliedMsg.msgType` and `content` of a quote: `{text}`, `{downloadCode}` or `{downloadCode, fileName}`. */
const repliedOf = (quote: SimQuote, media: RegisterMedia): Record<string, unknown> => {
  if ("picture" in quote)
    return {
      msgType: "picture",
      content: { downloadCode: media(quote.picture, quote.contentType ?? "image/png") },
    }
  if ("file" in quote)
    return { msgType: "file", content: { downloadCode: media(quote.file), fileName: quote.fileName } }
  return { msgType: "text", content: { text: quote.text } }
}

/** A group text arrives with the bot's @mention already removed, leaving a leading space. */
export const textBody = (
  context: PayloadContext,
  text: string,
  media: RegisterMedia,
): Record<string, unknown> => {
  const mentioned = context.conversation.kind === "group" && (context.options.mention ?? true)
  const quote = context.options.quote
  return {
    msgtype: "text",
    text: {
      content: mentioned ? ` ${text}` : text,
      ...(quote === undefined
        ? {}
        : {
            isReplyMsg: true,
            repliedMsg: {
              msgId: quote.msgId ?? ids.msgId(),
              senderId: context.from.dingtalkId,
              createdAt: context.createdAt - 60_000,
              ...repliedOf(quote, media),
            },
          }),
    },
  }
}

/** A forwarded history: the entries travel as a JSON string in `content.chatRecord`, beside a short summary. */
export const chatRecordBody = (
  context: PayloadContext,
  entries: ReadonlyArray<SimRecordEntry>,
  title: string | undefined,
): Record<string, unknown> => {
  const records = entries.map((entry, index) => ({
    msgId: ids.msgId(),
    senderId: entry.from.dingtalkId,
    ...(entry.from.staffId === undefined ? {} : { senderStaffId: entry.from.staffId }),
    senderNick: entry.from.nick,
    createAt: context.createdAt - (entries.length - index) * 60_000,
    ...(entry.picture === true
      ? { msgType: "picture", downloadCode: ids.downloadCode() }
      : { msgType: "text", content: entry.text ?? "" }),
  }))
  const summary = entries
    .slice(0, 3)
    .map((entry) => `${entry.from.nick}: ${entry.picture === true ? "[图片]" : (entry.text ?? "")}`)
    .join("\n")
  return {
    msgtype: "chatRecord",
    content: { title: title ?? "聊天记录", summary, chatRecord: JSON.stringify(records) },
  }
}
