import { closeOpenFence } from "./codeFence.js"
import { graphemes } from "./graphemes.js"

export const MAX_REPLY_CHARS = 18_000
export const TRUNCATION_NOTICE = "\n\n…（内容过长，已截断 / reply truncated）"

/**
 * The product rule: a reply over `maxChars` user-perceived characters is cut to `maxChars` (never inside a
 * surrogate pair or an emoji), an open code fence is closed, and a visible notice is appended.
 */
export const truncateReply = (
  markdown: string,
  maxChars: number = MAX_REPLY_CHARS,
): { readonly text: string; readonly truncated: boolean } => {
  if (markdown.length <= maxChars) return { text: markdown, truncated: false }
  const characters = graphemes(markdown)
  if (characters.length <= maxChars) return { text: markdown, truncated: false }
  const kept = characters.slice(0, maxChars).join("")
  return { text: `${closeOpenFence(kept)}${TRUNCATION_NOTICE}`, truncated: true }
}
