import type { MarkdownMessage, OutboundReply } from "../domain/OutboundReply.js"
import { chunkMarkdown, type MarkdownChunk } from "./chunkMarkdown.js"
import { type WireRoute, wireLimit, wireSize } from "./wireFormat.js"

/** Kept free under every limit, for whatever a proxy or a future field adds. */
const SAFETY_BYTES = 64
const FENCE_LINE = /^ {0,3}(?:`{3,}|~{3,}).*$/gm

/** Worst case reserved in every part for reopening and closing a code fence that spans a cut. */
const fenceReserve = (markdown: string): string => {
  const longest = (markdown.match(FENCE_LINE) ?? []).reduce((a, b) => (b.length > a.length ? b : a), "")
  return longest === "" ? "" : `${longest}\n\n${longest}`
}

const mentionText = (atUserIds: ReadonlyArray<string>): string =>
  atUserIds.length === 0 ? "" : `\n\n${atUserIds.map((id) => `@${id}`).join(" ")}`

const numbered = (title: string, index: number, total: number): string =>
  total === 1 ? title : `${title} (${index + 1}/${total})`

const renderChunk = (chunk: MarkdownChunk): string => {
  const opening = chunk.reopens ? `${chunk.reopens.openingLine}\n` : ""
  const closing = chunk.closes ? `${chunk.content.endsWith("\n") ? "" : "\n"}${chunk.closes.marker}` : ""
  return `${opening}${chunk.content}${closing}`
}

/**
 * Splits a shaped reply into consecutive DingTalk messages whose request bodies each fit the route's byte limit.
 * Titles are numbered `(i/n)` when there is more than one; the @-mention text and `atUserIds` ride on the last part.
 */
export const splitForWire = (reply: OutboundReply, route: WireRoute): ReadonlyArray<MarkdownMessage> => {
  const mention = mentionText(reply.atUserIds)
  const whole: MarkdownMessage = {
    title: reply.title,
    text: `${reply.markdown}${mention}`,
    atUserIds: reply.atUserIds,
  }
  const limit = wireLimit(route) - SAFETY_BYTES
  if (wireSize(route, whole) <= limit) return [whole]

  const empty = { title: "", text: "", atUserIds: [] }
  const emptySize = wireSize(route, empty)
  const cost = (piece: string) => wireSize(route, { ...empty, text: piece }) - emptySize
  const overhead = wireSize(route, {
    title: numbered(reply.title, 98, 99),
    text: `${fenceReserve(reply.markdown)}${mention}`,
    atUserIds: reply.atUserIds,
  })
  const chunks = chunkMarkdown(reply.markdown, Math.max(limit - overhead, 16), cost)
  return chunks.map((chunk, index) => {
    const last = index === chunks.length - 1
    return {
      title: numbered(reply.title, index, chunks.length),
      text: `${renderChunk(chunk)}${last ? mention : ""}`,
      atUserIds: last ? reply.atUserIds : [],
    }
  })
}
