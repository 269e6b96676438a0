import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { ChatRecordContent, ChatRecordEntry } from "./CallbackPayload.js"
import { defined } from "./defined.js"
import { leadingGraphemes } from "./graphemes.js"
import { markdownText } from "./readableText.js"

/** A forwarded history can be long: the agent gets at most this many lines, each at most MAX_LINE_CHARS. */
export const MAX_RECORD_LINES = 100
export const MAX_LINE_CHARS = 500

const PLACEHOLDERS: Readonly<Record<string, string>> = {
  picture: "[图片]",
  image: "[图片]",
  video: "[视频]",
  audio: "[语音]",
  voice: "[语音]",
  file: "[文件]",
}

const entriesOf = (raw: string | ReadonlyArray<unknown> | null | undefined): ReadonlyArray<unknown> => {
  if (!defined(raw)) return []
  if (typeof raw !== "string") return raw
  try {
    const parsed: unknown = JSON.parse(raw)
    return Array.isArray(parsed) ? parsed : []
  } catch {
    return []
  }
}

const entryText = (entry: typeof ChatRecordEntry.Type): string => {
  const type = entry.msgType ?? "text"
  if (typeof entry.content === "string" && entry.content.trim() !== "") return entry.content.trim()
  if (type === "markdown") return markdownText(entry.content) || "[Markdown]"
  if (type === "file" && defined(entry.fileName)) return `[文件 ${entry.fileName}]`
  const content = entry.content
  if (
    typeof content === "object" &&
    content !== null &&
    "text" in content &&
    typeof content.text === "string"
  )
    return content.text.trim()
  return PLACEHOLDERS[type] ?? `[${type}]`
}

const oneLine = (text: string): string => {
  const flat = text.replace(/\s*\n\s*/g, " / ")
  const kept = leadingGraphemes(flat, MAX_LINE_CHARS)
  return kept.length < flat.length ? `${kept}…` : flat
}

/**
 * A forwarded chat history as "sender: text" lines, oldest first and bounded; the summary DingTalk sends when the
 * entries are missing or unreadable.
 */
export const decodeChatRecord = (content: unknown): string => {
  const decoded = Schema.decodeUnknownResult(ChatRecordContent)(content)
  if (Result.isFailure(decoded)) return "[聊天记录]"
  const lines: Array<string> = []
  for (const raw of entriesOf(decoded.success.chatRecord)) {
    const entry = Schema.decodeUnknownResult(ChatRecordEntry)(raw)
    if (Result.isFailure(entry)) continue
    const sender = entry.success.senderNick ?? entry.success.senderStaffId ?? "成员"
    lines.push(oneLine(`${sender}: ${entryText(entry.success)}`))
  }
  if (lines.length === 0) {
    const fallback = decoded.success.summary ?? decoded.success.title ?? ""
    return fallback.trim() === "" ? "[聊天记录]" : `[聊天记录] ${oneLine(fallback.trim())}`
  }
  const shown = lines.slice(0, MAX_RECORD_LINES)
  if (lines.length > shown.length) shown.push(`…（另有 ${lines.length - shown.length} 条未显示）`)
  return shown.join("\n")
}
