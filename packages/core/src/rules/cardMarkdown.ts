import { closeOpenFence } from "./markdownBlocks.js"
import { dingtalkMarkdown } from "./shapeReply.js"

const FENCE = /^ {0,3}(`{3,}|~{3,})/
const TABLE = /^\s{0,3}\|/
const LIST_ITEM = /^\s*([-*+]|\d+[.)])\s/
const HEADING = /^\s{0,3}#{1,6}(\s|$)/
const HARD_BREAK = /( {2}|<br>)$/

const isBlank = (line: string) => line.trim() === ""
/** Lines that begin or belong to a block of their own, where a single newline already breaks. */
const isStructural = (line: string) =>
  FENCE.test(line) || TABLE.test(line) || LIST_ITEM.test(line) || HEADING.test(line)

/**
 * Markdown for an AI card: what `dingtalkMarkdown` makes of it, with any code fence left open closed (partial text
 * streams in) and a `<br>` where a single newline must break a line, since the card's renderer joins such lines.
 * Code, tables, lists and headings are left as they are.
 */
export const cardMarkdown = (markdown: string): string => {
  const lines = dingtalkMarkdown(closeOpenFence(markdown)).split("\n")
  const out: Array<string> = []
  let fence: string | undefined
  for (const [index, line] of lines.entries()) {
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
    const next = lines[index + 1]
    const breaks =
      next !== undefined &&
      !isBlank(line) &&
      !isBlank(next) &&
      !isStructural(line) &&
      !isStructural(next) &&
      !HARD_BREAK.test(line)
    out.push(breaks ? `${line}<br>` : line)
  }
  return out.join("\n")
}
