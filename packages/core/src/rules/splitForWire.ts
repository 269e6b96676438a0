import type { MarkdownMessage, OutboundReply } from "../domain/OutboundReply.js"
import { chunkMarkdown, renderChunk } from "./chunkMarkdown.js"
import { closeOpenFence, parseBlocks } from "./markdownBlocks.js"
import { textCost, type WireRoute, wireLimit, wireSize } from "./wireFormat.js"

/** Kept free under every limit, for whatever a proxy or a future field adds. */
const SAFETY_BYTES = 64

/** Worst case reserved in every part for reopening and closing a code fence that spans a cut. */
const fenceReserve = (markdown: string): string => {
  let longest = ""
  for (const block of parseBlocks(markdown))
    if (block.kind === "fence" && block.fence.openingLine.length > longest.length)
      longest = block.fence.openingLine
  return longest === "" ? "" : `${longest}\n\n${longest}`
}

/** Only a session webhook can @-mention; the Open API's sampleMarkdown cannot, so nobody is named there. */
const mentionsOn = (route: WireRoute, atUserIds: ReadonlyArray<string>): ReadonlyArray<string> =>
  route === "webhook" ? atUserIds : []

const mentionText = (atUserIds: ReadonlyArray<string>): string =>
  atUserIds.length === 0 ? "" : `\n\n${atUserIds.map((id) => `@${id}`).join(" ")}`

const numbered = (title: string, index: number, total: number): string =>
  total === 1 ? title : `${title} (${index + 1}/${total})`

export interface WireSplit {
  readonly parts: ReadonlyArray<MarkdownMessage>
  /** The reply's Markdown from part `index` on, its open fence reopened: what is left when that part failed. */
  readonly remainderFrom: (index: number) => string
}

/**
 * Splits a shaped reply into consecutive DingTalk messages whose request bodies each fit the route's byte limit.
 * Titles are numbered `(i/n)` when there is more than one, counting `alreadySent` parts that went out on another
 * route before; on the webhook the @-mention text and `atUserIds` ride on the last part, elsewhere nobody is
 * mentioned.
 */
export const splitReplyForWire = (reply: OutboundReply, route: WireRoute, alreadySent = 0): WireSplit => {
  const atUserIds = mentionsOn(route, reply.atUserIds)
  const mention = mentionText(atUserIds)
  const limit = wireLimit(route) - SAFETY_BYTES
  const closed = closeOpenFence(reply.markdown)
  const whole: MarkdownMessage = {
    title: numbered(reply.title, alreadySent, alreadySent + 1),
    text: `${closed}${mention}`,
    atUserIds,
  }
  if (wireSize(route, whole) <= limit) return { parts: [whole], remainderFrom: () => reply.markdown }

  const overhead = wireSize(route, {
    title: numbered(reply.title, 98, 99),
    text: `${fenceReserve(reply.markdown)}${mention}`,
    atUserIds,
  })
  const chunks = chunkMarkdown(reply.markdown, Math.max(limit - overhead, 16), (piece) =>
    textCost(route, piece),
  )
  const total = alreadySent + chunks.length
  return {
    parts: chunks.map((chunk, index) => {
      const last = index === chunks.length - 1
      return {
        title: numbered(reply.title, alreadySent + index, total),
        text: `${renderChunk(chunk)}${last ? mention : ""}`,
        atUserIds: last ? atUserIds : [],
      }
    }),
    remainderFrom: (index) => {
      const from = chunks[index]
      if (from === undefined) return ""
      const rest = chunks
        .slice(index)
        .map((chunk) => chunk.content)
        .join("")
      return from.reopens ? `${from.reopens.openingLine}\n${rest}` : rest
    },
  }
}

/** The parts of `reply` on `route`, numbered from 1. */
export const splitForWire = (reply: OutboundReply, route: WireRoute): ReadonlyArray<MarkdownMessage> =>
  splitReplyForWire(reply, route).parts
