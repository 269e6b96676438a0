import { closeOpenFence } from "./codeFence.js"
import { graphemes } from "./graphemes.js"

export const MAX_REPLY_CHARS = 18_000
export const TRUNCATION_NOTICE = "\n\n…（内容过长，已截断 / reply truncated）"

/**
 * The product rule: a reply over `maxChars` user-perceived characters (graphemes, so never inside a surrogate pair
 * or an emoji sequence) is cut so that, with any code fence it leaves open closed, it is at most `maxChars` long;
 * then a visible notice is appended.
 */
export const truncateReply = (
  markdown: string,
  maxChars: number = MAX_REPLY_CHARS,
): { readonly text: string; readonly truncated: boolean } => {
  if (markdown.length <= maxChars) return { text: markdown, truncated: false }
  const characters = graphemes(markdown)
  if (characters.length <= maxChars) return { text: markdown, truncated: false }
  let keep = maxChars
  let body = closeOpenFence(characters.slice(0, keep).join(""))
  let length = graphemes(body).length
  while (length > maxChars && keep > 0) {
    keep = Math.max(0, keep - (length - maxChars))
    body = closeOpenFence(characters.slice(0, keep).join(""))
    length = graphemes(body).length
  }
  return { text: `${body}${TRUNCATION_NOTICE}`, truncated: true }
}
