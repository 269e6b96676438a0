import { ids } from "./ids.js"
import type { SendOptions, SimApp, SimConversation, SimUser } from "./SimulatorApi.js"

export interface PayloadContext {
  readonly app: SimApp
  readonly conversation: SimConversation
  readonly from: SimUser
  readonly createdAt: number
  readonly sessionWebhook: string
  readonly sessionWebhookExpiredTime: number
  readonly options: SendOptions
}

/** The fields every robot callback carries (dingtalk-platform.md §4.2), as DingTalk fills them. */
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

/** A group text arrives with the bot's @mention already removed, leaving a leading space. */
export const textBody = (context: PayloadContext, text: string): Record<string, unknown> => {
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
              msgType: "text",
              senderId: context.from.dingtalkId,
              createdAt: context.createdAt - 60_000,
              content: { text: quote.text },
            },
          }),
    },
  }
}
