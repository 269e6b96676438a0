import { leadingGraphemes } from "./graphemes.js"
import { parseBlocks } from "./markdownBlocks.js"

export const MAX_TITLE_CHARS = 20
export const DEFAULT_TITLE = "回复"

/** Enough of a line to find a 20-character title in it, so stripping stays cheap on any line. */
const TITLE_SCAN_CHARS = 400
/** A title comes from the start of a reply: what lies further in is not read. */
const TITLE_SOURCE_CHARS = 4_000

const plainTitle = (line: string): string =>
  leadingGraphemes(line, TITLE_SCAN_CHARS)
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)+/, "")
    .replace(/[*_`~]/g, "")
    .replace(/<[^>]*>/g, "")
    .trim()

/** The lines a title may come from: everything but the fence lines of code blocks. */
function* contentLines(markdown: string): Generator<string> {
  for (const block of parseBlocks(leadingGraphemes(markdown, TITLE_SOURCE_CHARS))) {
    const lines = block.text.replace(/\n$/, "").split("\n")
    if (block.kind !== "fence") yield* lines
    else yield* lines.slice(1, block.closed ? -1 : undefined)
  }
}

/** Title for notifications and the chat list: the first line, Markdown stripped, at most 20 characters. */
export const titleOf = (markdown: string): string => {
  for (const line of contentLines(markdown)) {
    if (line.trim() === "") continue
    const title = plainTitle(line)
    if (title !== "") return leadingGraphemes(title, MAX_TITLE_CHARS)
  }
  return DEFAULT_TITLE
}
