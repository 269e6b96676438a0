import { graphemes } from "./graphemes.js"
import { closeOpenFence } from "./markdownBlocks.js"

export const MAX_REPLY_CHARS = 18_000
export const TRUNCATION_NOTICE = "\n\n…（内容过长，已截断 / reply truncated）"

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" })

/** End offsets of the first `count` graphemes of `text`; fewer when the text is shorter. */
const graphemeEnds = (text: string, count: number): Array<number> => {
  const ends: Array<number> = []
  for (const part of segmenter.segment(text)) {
    if (ends.length === count) break
    ends.push(part.index + part.segment.length)
  }
  return ends
}

/**
 * The product rule: a reply over `maxChars` user-perceived characters (graphemes, so never inside a surrogate pair
 * or an emoji sequence) is cut so that, with any code fence it leaves open closed, it is at most `maxChars` long;
 * then a visible notice is appended. Reads no further into the reply than `maxChars` graphemes.
 */
export const truncateReply = (
  markdown: string,
  maxChars: number = MAX_REPLY_CHARS,
): { readonly text: string; readonly truncated: boolean } => {
  if (markdown.length <= maxChars) return { text: markdown, truncated: false }
  const ends = graphemeEnds(markdown, maxChars + 1)
  if (ends.length <= maxChars) return { text: markdown, truncated: false }
  const prefix = (keep: number) => markdown.slice(0, keep === 0 ? 0 : (ends[keep - 1] ?? 0))
  let keep = maxChars
  let body = closeOpenFence(prefix(keep))
  let length = graphemes(body).length
  while (length > maxChars && keep > 0) {
    keep = Math.max(0, keep - (length - maxChars))
    body = closeOpenFence(prefix(keep))
    length = graphemes(body).length
  }
  return { text: `${body}${TRUNCATION_NOTICE}`, truncated: true }
}
