import { closeOpenFence, parseBlocks } from "./markdownBlocks.js"
import { dingtalkMarkdown } from "./shapeReply.js"

const HEADING = /^\s{0,3}#{1,6}(\s|$)/
const HARD_BREAK = /( {2}|<br>)$/

/** A paragraph's lines joined so that each single newline breaks the line in a card. */
const breakLines = (paragraph: string): string => {
  const lines = paragraph.split("\n")
  return lines
    .map((line, index) => {
      const next = lines[index + 1]
      const breaks =
        next !== undefined &&
        next.trim() !== "" &&
        !HEADING.test(line) &&
        !HEADING.test(next) &&
        !HARD_BREAK.test(line)
      return breaks ? `${line}<br>` : line
    })
    .join("\n")
}

/**
 * Markdown for an AI card: what `dingtalkMarkdown` makes of it, with a code fence left open closed (partial text
 * streams in) and a `<br>` where a single newline inside a paragraph must break the line, since the card's renderer
 * joins such lines. Code, tables, lists and headings are left as they are.
 */
export const cardMarkdown = (markdown: string): string =>
  parseBlocks(dingtalkMarkdown(closeOpenFence(markdown)))
    .map((block) => (block.kind === "paragraph" ? breakLines(block.text) : block.text))
    .join("")
