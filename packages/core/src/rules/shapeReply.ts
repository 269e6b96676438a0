import type { Conversation, Sender } from "../domain/InboundMessage.js"
import type { OutboundReply } from "../domain/OutboundReply.js"
import { leadingGraphemes } from "./graphemes.js"

export const MAX_TITLE_CHARS = 20
export const DEFAULT_TITLE = "回复"

const FENCE = /^ {0,3}(`{3,}|~{3,})/
const FONT_TAG = /^<\/?font(\s[^<>]*)?>/i

const plainTitle = (line: string): string =>
  line
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)+/, "")
    .replace(/[*_`~]/g, "")
    .replace(/<[^>]*>/g, "")
    .trim()

/** Title for notifications and the chat list: the first line, Markdown stripped, at most 20 characters. */
export const titleOf = (markdown: string): string => {
  for (const line of markdown.split("\n")) {
    if (FENCE.test(line)) continue
    const title = plainTitle(line)
    if (title !== "") return leadingGraphemes(title, MAX_TITLE_CHARS)
  }
  return DEFAULT_TITLE
}

const escapeHtmlOutsideInlineCode = (line: string): string => {
  let out = ""
  let index = 0
  while (index < line.length) {
    const character = line[index] ?? ""
    if (character === "`") {
      const run = /^`+/.exec(line.slice(index))?.[0] ?? "`"
      const close = line.indexOf(run, index + run.length)
      if (close !== -1) {
        out += line.slice(index, close + run.length)
        index = close + run.length
        continue
      }
    }
    if (character === "<") {
      const font = FONT_TAG.exec(line.slice(index))?.[0]
      if (font !== undefined) {
        out += font
        index += font.length
        continue
      }
      out += "&lt;"
    } else if (character === ">" && !/^\s*>*$/.test(line.slice(0, index))) {
      out += "&gt;"
    } else {
      out += character
    }
    index += 1
  }
  return out
}

const isTableLine = (line: string): boolean => /^\s{0,3}\|/.test(line)

/**
 * Makes agent Markdown safe and readable in DingTalk: raw HTML outside code is escaped (mobile clients blank the whole
 * message otherwise; `<font>` is kept), tables get the blank line they need before them. Code is left untouched.
 */
export const dingtalkMarkdown = (markdown: string): string => {
  const out: Array<string> = []
  let fence: string | undefined
  for (const line of markdown.split("\n")) {
    const marker = FENCE.exec(line)?.[1]
    if (fence !== undefined) {
      out.push(line)
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined
      continue
    }
    if (marker !== undefined) {
      fence = marker
      out.push(line)
      continue
    }
    const previous = out[out.length - 1]
    if (isTableLine(line) && previous !== undefined && previous.trim() !== "" && !isTableLine(previous))
      out.push("")
    out.push(escapeHtmlOutsideInlineCode(line))
  }
  return out.join("\n")
}

/** Shapes the agent's Markdown into a DingTalk reply; in groups it @-mentions the sender when their staffId is known. */
export const shapeReply = (
  markdown: string,
  context: { readonly conversation: Conversation; readonly sender: Sender },
): OutboundReply => ({
  title: titleOf(markdown),
  markdown: dingtalkMarkdown(markdown),
  atUserIds:
    context.conversation.kind === "group" && context.sender.staffId !== undefined
      ? [context.sender.staffId]
      : [],
})
