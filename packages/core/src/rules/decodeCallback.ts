import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import type { InboundMessage, QuotedMessage, ReplyRoute } from "../domain/InboundMessage.js"
import { CallbackDecodeError } from "./CallbackDecodeError.js"
import {
  AudioContent,
  CallbackEnvelope,
  FileContent,
  PictureContent,
  RichTextContent,
  UnknownTypeContent,
  VideoContent,
} from "./CallbackPayload.js"
import { capText, INBOUND_CAP_NOTICE, MAX_INBOUND_TEXT_CHARS } from "./capText.js"
import { decodeChatRecord } from "./decodeChatRecord.js"
import { quotedOf } from "./decodeQuote.js"
import { defined } from "./defined.js"
import { interactiveCardText, markdownText } from "./readableText.js"
import { type Body, richTextBody } from "./richTextBody.js"

const formatIssue = SchemaIssue.makeFormatterStandardSchemaV1()

const decoders = new WeakMap<
  Schema.Decoder<unknown>,
  (input: unknown) => Result.Result<unknown, Schema.SchemaError>
>()

/** Schema.decodeUnknownResult, built once per schema: building it costs as much as a small decode. */
const decoderOf = <S extends Schema.Decoder<unknown>>(schema: S) => {
  let decoder = decoders.get(schema)
  if (decoder === undefined) {
    decoder = Schema.decodeUnknownResult(schema)
    decoders.set(schema, decoder)
  }
  return decoder as (input: unknown) => Result.Result<S["Type"], Schema.SchemaError>
}

const decodeAt = <S extends Schema.Decoder<unknown>>(schema: S, input: unknown, prefix: string) =>
  Result.mapError(decoderOf(schema)(input), (error) => {
    const first = formatIssue(error.issue).issues[0]
    const path = [prefix, ...(first?.path ?? []).map(String)].filter((part) => part !== "").join(".")
    return new CallbackDecodeError({
      path: path === "" ? "(root)" : path,
      message: first?.message ?? error.message,
    })
  })

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
    case "markdown":
      return Result.succeed({ type: "markdown", text: markdownText(envelope.content), attachments: [] })
    case "chatRecord":
      return Result.succeed({ type: "chatRecord", text: decodeChatRecord(envelope.content), attachments: [] })
    case "interactiveCard":
      return Result.succeed({
        type: "interactiveCard",
        text: interactiveCardText(envelope.content),
        attachments: [],
      })
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
