import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type { Attachment, InboundMessageType } from "../domain/InboundMessage.js"
import { RichTextPart } from "./CallbackPayload.js"
import { defined } from "./defined.js"

/** What a message's payload says, before the envelope is added. */
export interface Body {
  readonly type: InboundMessageType
  readonly text: string
  readonly attachments: ReadonlyArray<Attachment>
}

export const dedupeAttachments = (attachments: ReadonlyArray<Attachment>): ReadonlyArray<Attachment> => {
  const seen = new Set<string>()
  return attachments.filter((attachment) => {
    if (seen.has(attachment.downloadCode)) return false
    seen.add(attachment.downloadCode)
    return true
  })
}

/** richText keeps the visible `@bot` text as its first part, unlike text messages: strip exactly that token. */
const stripLeadingMention = (text: string): string => text.replace(/^\s*@\S+\s?/u, "")

/** The text parts joined (a picture ends a line) and the pictures in order, deduplicated by download code. */
export const richTextBody = (parts: ReadonlyArray<unknown>, isGroup: boolean): Body => {
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
