/** Inbound message text kept for the agent (characters); the rest is cut at the decode boundary. */
export const MAX_INBOUND_TEXT_CHARS = 65_536
/** Agent output kept before any shaping (characters): well above any reply limit, so only runaway output is cut. */
export const MAX_AGENT_OUTPUT_CHARS = 200_000
export const INBOUND_CAP_NOTICE = "\n\n…（消息过长，只保留了开头 / message truncated）"

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" })
/** Longer than any grapheme cluster worth keeping whole. */
const CLUSTER_WINDOW = 64

/**
 * `text` cut to at most `maxChars` UTF-16 characters at a grapheme boundary, with `notice` appended when cut. Reads no
 * further than the cut, so a huge input costs no more than a small one.
 */
export const capText = (
  text: string,
  maxChars: number,
  notice: string,
): { readonly text: string; readonly capped: boolean } => {
  if (text.length <= maxChars) return { text, capped: false }
  const window = text.slice(0, maxChars + CLUSTER_WINDOW)
  const cut = segmenter.segment(window).containing(maxChars)?.index ?? maxChars
  return { text: `${text.slice(0, cut)}${notice}`, capped: true }
}
