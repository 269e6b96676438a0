/** A fenced code block's opener, as CommonMark reads it. */
export interface Fence {
  readonly char: "`" | "~"
  /** Length of the opening run (3 or more); only a run at least this long of the same char closes it. */
  readonly length: number
  readonly info: string
  /** The opening line without its indentation, to reopen the fence in a later message. */
  readonly openingLine: string
  /** The shortest line that closes it. */
  readonly closingLine: string
}

/**
 * One block of a Markdown document. `text` is a slice of the input made of whole lines, line breaks kept, so joining
 * the `text` of every block gives the input back.
 */
export type Block =
  | { readonly kind: "fence"; readonly text: string; readonly fence: Fence; readonly closed: boolean }
  | { readonly kind: "table"; readonly text: string }
  | { readonly kind: "list"; readonly text: string }
  | { readonly kind: "paragraph"; readonly text: string }
  | { readonly kind: "blank"; readonly text: string }

type LineKind = "table" | "list" | "paragraph" | "blank"

const SPACE = 32
const TAB = 9
const CR = 13

/** Index of the first character after at most three leading spaces, or -1 when four or more indent the line. */
const afterIndent = (text: string, from: number): number => {
  let index = from
  while (index < from + 3 && text.charCodeAt(index) === SPACE) index += 1
  return text.charCodeAt(index) === SPACE ? -1 : index
}

const isBlankBetween = (text: string, from: number, to: number): boolean => {
  for (let index = from; index < to; index++) {
    const code = text.charCodeAt(index)
    if (code !== SPACE && code !== TAB && code !== CR) return false
  }
  return true
}

const runEnd = (text: string, from: number, to: number, char: string): number => {
  let end = from
  while (end < to && text[end] === char) end += 1
  return end
}

/** The fence the line `text[from, to)` opens, if it is an opening fence line (a backtick fence's info has no backtick). */
const fenceOpenedAt = (text: string, from: number, to: number): Fence | undefined => {
  const start = afterIndent(text, from)
  if (start < 0 || start >= to) return undefined
  const char = text[start]
  if (char !== "`" && char !== "~") return undefined
  const end = runEnd(text, start, to, char)
  const length = end - start
  if (length < 3) return undefined
  if (char === "`") {
    const backtick = text.indexOf("`", end)
    if (backtick !== -1 && backtick < to) return undefined
  }
  const lineEnd = text.charCodeAt(to - 1) === CR ? to - 1 : to
  const closingLine = length === 3 ? (char === "`" ? "```" : "~~~") : char.repeat(length)
  const openingLine = lineEnd === end ? closingLine : text.slice(start, lineEnd)
  const info = lineEnd === end ? "" : text.slice(end, lineEnd).trim()
  return { char, length, info, openingLine, closingLine }
}

/** The fence a line opens, if it is an opening fence line. */
export const fenceOpenedBy = (line: string): Fence | undefined => fenceOpenedAt(line, 0, line.length)

/** Whether the line `text[from, to)` closes `fence`: same char, a run at least as long, nothing after but spaces. */
const closesAt = (text: string, from: number, to: number, fence: Fence): boolean => {
  const start = afterIndent(text, from)
  if (start < 0 || start >= to) return false
  const end = runEnd(text, start, to, fence.char)
  return end - start >= fence.length && isBlankBetween(text, end, to)
}

const LIST_ITEM = / {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t\r\n]|$)/y

const lineKind = (text: string, from: number, to: number, previous: LineKind | undefined): LineKind => {
  if (isBlankBetween(text, from, to)) return "blank"
  const start = afterIndent(text, from)
  if (start >= 0 && text[start] === "|") return "table"
  LIST_ITEM.lastIndex = from
  if (start >= 0 && LIST_ITEM.test(text)) return "list"
  const first = text.charCodeAt(from)
  return previous === "list" && (first === SPACE || first === TAB) ? "list" : "paragraph"
}

/**
 * The one Markdown block model: fenced code (CommonMark: a fence closes only with the same char, a run at least as
 * long as the opener and no info string), tables, lists, paragraphs and blank lines. Linear in the input.
 */
export const parseBlocks = (markdown: string): ReadonlyArray<Block> => {
  const blocks: Array<Block> = []
  let fence: Fence | undefined
  let blockStart = 0
  let runKind: LineKind | undefined
  const flush = (at: number) => {
    if (runKind !== undefined && at > blockStart)
      blocks.push({ kind: runKind, text: markdown.slice(blockStart, at) })
    runKind = undefined
    blockStart = at
  }
  let lineStart = 0
  while (lineStart < markdown.length) {
    const newline = markdown.indexOf("\n", lineStart)
    const lineEnd = newline === -1 ? markdown.length : newline
    const next = newline === -1 ? markdown.length : newline + 1
    if (fence !== undefined) {
      if (closesAt(markdown, lineStart, lineEnd, fence)) {
        blocks.push({ kind: "fence", text: markdown.slice(blockStart, next), fence, closed: true })
        fence = undefined
        blockStart = next
      }
    } else {
      const opened = fenceOpenedAt(markdown, lineStart, lineEnd)
      if (opened !== undefined) {
        flush(lineStart)
        fence = opened
      } else {
        const kind = lineKind(markdown, lineStart, lineEnd, runKind)
        if (kind !== runKind) flush(lineStart)
        runKind = kind
      }
    }
    lineStart = next
  }
  if (fence !== undefined)
    blocks.push({ kind: "fence", text: markdown.slice(blockStart), fence, closed: false })
  else flush(markdown.length)
  return blocks
}

/** The fenced code block still open at the end of `markdown`, if any. */
export const openFenceAt = (markdown: string): Fence | undefined => {
  const last = parseBlocks(markdown).at(-1)
  return last?.kind === "fence" && !last.closed ? last.fence : undefined
}

/** Closes a fence left open at the end, so that whatever follows still renders as Markdown. */
export const closeOpenFence = (markdown: string): string => {
  const open = openFenceAt(markdown)
  if (open === undefined) return markdown
  return `${markdown}${markdown.endsWith("\n") ? "" : "\n"}${open.closingLine}`
}
