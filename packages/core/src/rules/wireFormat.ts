import type { MarkdownMessage } from "../domain/OutboundReply.js"

/** DingTalk's byte limits: webhook bodies (errcode 460101) and groupMessages/send msgParam. */
export const WIRE_LIMITS = {
  webhookBodyBytes: 20_000,
  groupMsgParamBytes: 15_000,
  usersBodyBytes: 20_000,
} as const

export type WireRoute = "webhook" | "group" | "users"

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff

/** Length of the text's UTF-8 encoding, counted without encoding it; a lone surrogate counts as U+FFFD (3 bytes). */
export const utf8Bytes = (text: string): number => {
  let bytes = 0
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (isHighSurrogate(code) && isLowSurrogate(text.charCodeAt(index + 1))) {
      bytes += 4
      index += 1
    } else bytes += 3
  }
  return bytes
}

/** The exact body a session webhook receives. */
export const webhookBody = (message: MarkdownMessage) => ({
  msgtype: "markdown" as const,
  markdown: { title: message.title, text: message.text },
  at: { atUserIds: [...message.atUserIds], isAtAll: false },
})

/** The `msgParam` string of an Open API `sampleMarkdown` message. */
export const sampleMarkdownParam = (message: MarkdownMessage): string =>
  JSON.stringify({ title: message.title, text: message.text })

const WORST_CASE_BATCH = {
  robotCode: "x".repeat(64),
  userIds: Array.from({ length: 20 }, () => "x".repeat(32)),
  msgKey: "sampleMarkdown",
}

export const wireLimit = (route: WireRoute): number =>
  route === "webhook"
    ? WIRE_LIMITS.webhookBodyBytes
    : route === "group"
      ? WIRE_LIMITS.groupMsgParamBytes
      : WIRE_LIMITS.usersBodyBytes

/** Bytes the message occupies in the part of the request DingTalk limits on that route. */
export const wireSize = (route: WireRoute, message: MarkdownMessage): number => {
  switch (route) {
    case "webhook":
      return utf8Bytes(JSON.stringify(webhookBody(message)))
    case "group":
      return utf8Bytes(sampleMarkdownParam(message))
    case "users":
      return utf8Bytes(JSON.stringify({ ...WORST_CASE_BATCH, msgParam: sampleMarkdownParam(message) }))
  }
}

/** UTF-8 bytes of `text` once JSON-escaped (`depth` 1), or escaped twice (`depth` 2: a JSON string inside JSON). */
export const escapedBytes = (text: string, depth: 1 | 2): number => {
  let bytes = 0
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code === 0x22 || code === 0x5c) bytes += depth === 1 ? 2 : 4
    else if (code === 8 || code === 9 || code === 10 || code === 12 || code === 13)
      bytes += depth === 1 ? 2 : 3
    else if (code < 0x20) bytes += depth === 1 ? 6 : 7
    else if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (isHighSurrogate(code) && isLowSurrogate(text.charCodeAt(index + 1))) {
      bytes += 4
      index += 1
    } else if (isHighSurrogate(code) || isLowSurrogate(code)) bytes += depth === 1 ? 6 : 7
    else bytes += 3
  }
  return bytes
}

/** Bytes `piece` adds to a message's text on that route: additive over concatenation. */
export const textCost = (route: WireRoute, piece: string): number =>
  escapedBytes(piece, route === "users" ? 2 : 1)
