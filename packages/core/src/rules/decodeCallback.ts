import { Result, Schema, SchemaIssue } from "effect"
import type {
  Attachment,
  InboundMessage,
  InboundMessageType,
  QuotedMessage,
  ReplyRoute,
} from "../domain/InboundMessage.js"
import { CallbackDecodeError } from "./CallbackDecodeError.js"
import {
  AudioContent,
  CallbackEnvelope,
  FileContent,
  type LegacyQuote,
  PictureContent,
  type RepliedMessage,
  RichTextContent,
  RichTextPart,
  UnknownTypeContent,
  VideoContent,
} from "./CallbackPayload.js"
import { capText, INBOUND_CAP_NOTICE, MAX_INBOUND_TEXT_CHARS } from "./capText.js"

const formatIssue = SchemaIssue.makeFormatterStandardSchemaV1()

const decodeAt = <S extends Schema.Decoder<unknown>>(schema: S, input: unknown, prefix: string) =>
  Result.mapError(Schema.decodeUnknownResult(schema)(input), (error) => {
    const first = formatIssue(error.issue).issues[0]
    const path = [prefix, ...(first?.path ?? []).map(String)].filter((part) => part !== "").join(".")
    return new CallbackDecodeError({
      path: path === "" ? "(root)" : path,
      message: first?.message ?? error.message,
    })
  })

const defined = <A>(value: A | null | undefined): value is A => value !== undefined && value !== null

interface Body {
  readonly type: InboundMessageType
  readonly text: string
  readonly attachments: ReadonlyArray<Attachment>
}

const dedupeAttachments = (attachments: ReadonlyArray<Attachment>): ReadonlyArray<Attachment> => {
  const seen = new Set<string>()
  return attachments.filter((attachment) => {
    if (seen.has(attachment.downloadCode)) return false
    seen.add(attachment.downloadCode)
    return true
  })
}

/** richText keeps the visible `@bot` text as its first part, unlike text messages: strip exactly that token. */
const stripLeadingMention = (text: string): string => text.replace(/^\s*@\S+\s?/u, "")

const richTextBody = (parts: ReadonlyArray<unknown>, isGroup: boolean): Body => {
  const segments: Array<string> = []
  const attachments: Array<Attachment> = []
  let pending = ""
  let sawFirstText = false
  for (const raw of parts) {
    const decoded = Schema.decodeUnknownResult(RichTextPart)(raw)
    if (Result.isFailure(decoded)) continue
    const part = decoded.success
    if (defined(part.downloadCode) && (part.type === "picture" || !defined(part.text))) {
      attachments.push({ kind: "picture", downloadCode: part.downloadCode })
      if (pending.trim() !== "") segments.push(pending.trim())
      pending = ""
      continue
    }
    if (part.type === "at" || !defined(part.text)) continue
    let text = part.text
    if (!sawFirstText && isGroup) text = stripLeadingMention(text)
    sawFirstText = true
    pending += text
  }
  if (pending.trim() !== "") segments.push(pending.trim())
  return { type: "richText", text: segments.join("\n"), attachments: dedupeAttachments(attachments) }
}

const quotedFromContent = (msgId: string | undefined, content: unknown): QuotedMessage => {
  const text = Schema.decodeUnknownResult(Schema.Struct({ text: Schema.String }))(content)
  if (Result.isSuccess(text)) return { ...(msgId ? { msgId } : {}), text: text.success.text, attachments: [] }
  const picture = Schema.decodeUnknownResult(PictureContent)(content)
  if (Result.isSuccess(picture))
    return {
      ...(msgId ? { msgId } : {}),
      text: "",
      attachments: [{ kind: "picture", downloadCode: picture.success.downloadCode }],
    }
  const rich = Schema.decodeUnknownResult(RichTextContent)(content)
  if (Result.isSuccess(rich)) {
    const body = richTextBody(rich.success.richText, false)
    return { ...(msgId ? { msgId } : {}), text: body.text, attachments: body.attachments }
  }
  return { ...(msgId ? { msgId } : {}), text: "", attachments: [] }
}

const quotedOf = (envelope: CallbackEnvelope): QuotedMessage | undefined => {
  const replied: typeof RepliedMessage.Type | null | undefined = envelope.text?.repliedMsg
  if (envelope.text?.isReplyMsg === true && defined(replied))
    return quotedFromContent(replied.msgId ?? undefined, replied.content)
  const legacy: typeof LegacyQuote.Type | null | undefined = envelope.quoteMessage
  if (defined(legacy))
    return {
      ...(legacy.msgId ? { msgId: legacy.msgId } : {}),
      text: legacy.text?.content ?? "",
      attachments: [],
    }
  return undefined
}

const bodyOf = (envelope: CallbackEnvelope): Result.Result<Body, CallbackDecodeError> => {
  const isGroup = envelope.conversationType === "2"
  switch (envelope.msgtype) {
    case "text": {
      if (!defined(envelope.text))
        return Result.fail(new CallbackDecodeError({ path: "text", message: "Missing key" }))
      return Result.succeed({ type: "text", text: envelope.text.content.trim(), attachments: [] })
    }
    case "picture":
      return Result.map(decodeAt(PictureContent, envelope.content, "content"), (content) => ({
        type: "picture",
        text: "",
        attachments: [{ kind: "picture", downloadCode: content.downloadCode }],
      }))
    case "richText":
      return Result.map(decodeAt(RichTextContent, envelope.content, "content"), (content) =>
        richTextBody(content.richText, isGroup),
      )
    case "audio":
      return Result.map(decodeAt(AudioContent, envelope.content, "content"), (content) => ({
        type: "audio",
        text: (content.recognition ?? "").trim(),
        attachments: defined(content.downloadCode)
          ? [
              {
                kind: "audio",
                downloadCode: content.downloadCode,
                ...(defined(content.recognition) ? { recognition: content.recognition } : {}),
                ...(defined(content.duration) ? { durationMs: content.duration } : {}),
              },
            ]
          : [],
      }))
    case "video":
      return Result.map(decodeAt(VideoContent, envelope.content, "content"), (content) => ({
        type: "video",
        text: "",
        attachments: [
          {
            kind: "video",
            downloadCode: content.downloadCode,
            ...(defined(content.duration) ? { durationSeconds: content.duration } : {}),
            ...(defined(content.videoType) ? { videoType: content.videoType } : {}),
          },
        ],
      }))
    case "file":
      return Result.map(decodeAt(FileContent, envelope.content, "content"), (content) => ({
        type: "file",
        text: "",
        attachments: [
          {
            kind: "file",
            downloadCode: content.downloadCode,
            fileName: content.fileName,
            ...(defined(content.fileId) ? { fileId: content.fileId } : {}),
            ...(defined(content.spaceId) ? { spaceId: content.spaceId } : {}),
          },
        ],
      }))
    default: {
      const notice = Schema.decodeUnknownResult(UnknownTypeContent)(envelope.content)
      const text = Result.isSuccess(notice) ? (notice.success.unknownMsgType ?? "") : ""
      return Result.succeed({ type: "unknown", text, attachments: [] })
    }
  }
}

const cappedQuote = (quoted: QuotedMessage | undefined): QuotedMessage | undefined =>
  quoted === undefined
    ? undefined
    : { ...quoted, text: capText(quoted.text, MAX_INBOUND_TEXT_CHARS, INBOUND_CAP_NOTICE).text }

const replyRouteOf = (envelope: CallbackEnvelope): ReplyRoute | undefined =>
  defined(envelope.sessionWebhook) &&
  envelope.sessionWebhook !== "" &&
  defined(envelope.sessionWebhookExpiredTime)
    ? { sessionWebhook: envelope.sessionWebhook, expiresAt: envelope.sessionWebhookExpiredTime }
    : undefined

const mentionsBot = (envelope: CallbackEnvelope): boolean =>
  envelope.isInAtList === true ||
  (envelope.atUsers ?? []).some((user) => user.dingtalkId === envelope.chatbotUserId)

/**
 * Decodes an untrusted robot callback payload (the parsed `data` of a CALLBACK frame) into the domain message.
 * Never throws: a missing or mistyped required field gives a CallbackDecodeError naming it.
 */
export const decodeCallback = (data: unknown): Result.Result<InboundMessage, CallbackDecodeError> =>
  Result.flatMap(decodeAt(CallbackEnvelope, data, ""), (envelope) =>
    Result.map(bodyOf(envelope), (body): InboundMessage => {
      const isGroup = envelope.conversationType === "2"
      const quoted = cappedQuote(quotedOf(envelope))
      const route = replyRouteOf(envelope)
      const title = envelope.conversationTitle
      const staffId = envelope.senderStaffId
      return {
        messageId: envelope.msgId,
        type: body.type,
        ...(defined(envelope.robotCode) && envelope.robotCode !== ""
          ? { robotCode: envelope.robotCode }
          : {}),
        chatbotUserId: envelope.chatbotUserId,
        conversation: {
          id: envelope.conversationId,
          kind: isGroup ? "group" : "dm",
          ...(isGroup && defined(title) ? { title } : {}),
        },
        sender: {
          id: envelope.senderId,
          ...(defined(staffId) && staffId !== "" ? { staffId } : {}),
          nick: envelope.senderNick ?? "",
        },
        text: capText(body.text, MAX_INBOUND_TEXT_CHARS, INBOUND_CAP_NOTICE).text,
        attachments: body.attachments,
        mentionedBot: isGroup && mentionsBot(envelope),
        createdAt: envelope.createAt,
        ...(route ? { replyRoute: route } : {}),
        ...(quoted ? { quoted } : {}),
      }
    }),
  )
