import { closeOpenFence, parseBlocks } from "./markdownBlocks.js"
import { dingtalkMarkdown } from "./shapeReply.js"

const HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/
const HARD_BREAK = /(?: {2}|<br>)$/

/** Within a paragraph, a single newline between two text lines becomes `<br>` (headings break on their own). */
const breakParagraphLines = (text: string): string => {
  const lines = text.split("\n")
  return lines
    .map((line, index) => {
      const next = lines[index + 1]
      const breaks =
        next !== undefined &&
        next !== "" &&
        index < lines.length - 1 &&
        !HEADING.test(line) &&
        !HEADING.test(next) &&
        !HARD_BREAK.test(line)
      return breaks ? `${line}<br>` : line
    })
    .join("\n")
}

/**
 * Markdown for an AI card: what `dingtalkMarkdown` makes of it, with a code fence left open closed (partial text
 * streams in) and a `<br>` where a single newline must break a line inside a paragraph, since the card's renderer
 * joins such lines. Code, tables, lists and headings are left as they are.
 */
export const cardMarkdown = (markdown: string): string =>
  parseBlocks(dingtalkMarkdown(closeOpenFence(markdown)))
    .map((block) => (block.kind === "paragraph" ? breakParagraphLines(block.text) : block.text))
    .join("")
