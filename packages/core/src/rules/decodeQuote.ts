import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type { Attachment, QuotedMessage } from "../domain/InboundMessage.js"
import {
  type CallbackEnvelope,
  PictureContent,
  QuotedMediaContent,
  RichTextContent,
} from "./CallbackPayload.js"
import { defined } from "./defined.js"
import { interactiveCardText, markdownText } from "./readableText.js"
import { richTextBody } from "./richTextBody.js"

interface QuotedBody {
  readonly text: string
  readonly attachments: ReadonlyArray<Attachment>
}

const EMPTY: QuotedBody = { text: "", attachments: [] }
const TextOnly = Schema.Struct({ text: Schema.String })

const PLACEHOLDERS = { file: "[文件]", audio: "[语音]", video: "[视频]" } as const

/** Without a download code (older payloads) only a placeholder, with the file's name, can be given. */
const mediaOf = (kind: "file" | "audio" | "video", content: unknown): QuotedBody => {
  const media = Schema.decodeUnknownResult(QuotedMediaContent)(content)
  if (Result.isFailure(media)) return { text: PLACEHOLDERS[kind], attachments: [] }
  const { downloadCode, fileName, recognition } = media.success
  if (!defined(downloadCode) || downloadCode === "") {
    const named = kind === "file" && defined(fileName) ? `[文件 ${fileName}]` : PLACEHOLDERS[kind]
    return { text: recognition ?? named, attachments: [] }
  }
  if (kind === "file")
    return { text: "", attachments: [{ kind, downloadCode, fileName: fileName ?? "file" }] }
  if (kind === "audio")
    return {
      text: recognition ?? "",
      attachments: [{ kind, downloadCode, ...(defined(recognition) ? { recognition } : {}) }],
    }
  return { text: "", attachments: [{ kind, downloadCode }] }
}

/** Older payloads carry no `msgType`: the content's shape tells what was quoted. */
const sniffed = (content: unknown): QuotedBody => {
  const text = Schema.decodeUnknownResult(TextOnly)(content)
  if (Result.isSuccess(text)) return { text: text.success.text, attachments: [] }
  const picture = Schema.decodeUnknownResult(PictureContent)(content)
  if (Result.isSuccess(picture))
    return { text: "", attachments: [{ kind: "picture", downloadCode: picture.success.downloadCode }] }
  const rich = Schema.decodeUnknownResult(RichTextContent)(content)
  if (Result.isSuccess(rich)) {
    const { text: richText, attachments } = richTextBody(rich.success.richText, false)
    return { text: richText, attachments }
  }
  return EMPTY
}

const quotedBody = (msgType: string | null | undefined, content: unknown): QuotedBody => {
  switch (msgType) {
    case "file":
    case "audio":
    case "video":
      return mediaOf(msgType, content)
    case "markdown":
      return { text: markdownText(content), attachments: [] }
    case "interactiveCard":
      return { text: interactiveCardText(content), attachments: [] }
    default:
      return sniffed(content)
  }
}

/** The quoted message of a reply: `text.repliedMsg` (with `isReplyMsg`), else the older `quoteMessage`. */
export const quotedOf = (envelope: CallbackEnvelope): QuotedMessage | undefined => {
  const replied = envelope.text?.repliedMsg
  if (envelope.text?.isReplyMsg === true && defined(replied)) {
    const body = quotedBody(replied.msgType, replied.content)
    return { ...(replied.msgId ? { msgId: replied.msgId } : {}), ...body }
  }
  const legacy = envelope.quoteMessage
  if (defined(legacy))
    return {
      ...(legacy.msgId ? { msgId: legacy.msgId } : {}),
      text: legacy.text?.content ?? "",
      attachments: [],
    }
  return undefined
}
