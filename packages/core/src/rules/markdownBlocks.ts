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

/** Index of the first character after at most three leading spaces, or -1 when four or more indent the line. */
const afterIndent = (line: string): number => {
  let index = 0
  while (index < 3 && line.charCodeAt(index) === SPACE) index += 1
  return line.charCodeAt(index) === SPACE ? -1 : index
}

const isBlank = (line: string): boolean => {
  for (let index = 0; index < line.length; index++) {
    const code = line.charCodeAt(index)
    if (code !== SPACE && code !== TAB && code !== 13) return false
  }
  return true
}

/** The fence a line opens, if it is an opening fence line (a backtick fence's info string has no backtick). */
export const fenceOpenedBy = (line: string): Fence | undefined => {
  const start = afterIndent(line)
  if (start < 0) return undefined
  const char = line[start]
  if (char !== "`" && char !== "~") return undefined
  let end = start
  while (line[end] === char) end += 1
  const length = end - start
  if (length < 3) return undefined
  const info = line.slice(end).trim()
  if (char === "`" && info.includes("`")) return undefined
  const marker = char.repeat(length)
  return { char, length, info, openingLine: line.slice(start).replace(/\r$/, ""), closingLine: marker }
}

/** Whether `line` closes `fence`: same char, a run at least as long, nothing after it but spaces. */
export const closesFence = (line: string, fence: Fence): boolean => {
  const start = afterIndent(line)
  if (start < 0) return false
  let end = start
  while (line[end] === fence.char) end += 1
  return end - start >= fence.length && isBlank(line.slice(end))
}

const isTableLine = (line: string): boolean => {
  const start = afterIndent(line)
  return start >= 0 && line[start] === "|"
}

const LIST_ITEM = /^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/

const lineKind = (line: string, previous: LineKind | undefined): LineKind => {
  if (isBlank(line)) return "blank"
  if (isTableLine(line)) return "table"
  if (LIST_ITEM.test(line)) return "list"
  const indented = line.charCodeAt(0) === SPACE || line.charCodeAt(0) === TAB
  return previous === "list" && indented ? "list" : "paragraph"
}

/** The input's lines, each with its line break. */
const linesOf = (markdown: string): Array<string> => {
  const lines: Array<string> = []
  let start = 0
  while (start < markdown.length) {
    const end = markdown.indexOf("\n", start)
    const next = end === -1 ? markdown.length : end + 1
    lines.push(markdown.slice(start, next))
    start = next
  }
  return lines
}

const withoutBreak = (line: string): string => (line.endsWith("\n") ? line.slice(0, -1) : line)

/**
 * The one Markdown block model: fenced code (CommonMark: a fence closes only with the same char, a run at least as
 * long as the opener and no info string), tables, lists, paragraphs and blank lines. Linear in the input.
 */
export const parseBlocks = (markdown: string): ReadonlyArray<Block> => {
  const blocks: Array<Block> = []
  let fence: Fence | undefined
  let fenceLines: Array<string> = []
  let runKind: LineKind | undefined
  let runLines: Array<string> = []
  const flushRun = () => {
    if (runKind !== undefined && runLines.length > 0) blocks.push({ kind: runKind, text: runLines.join("") })
    runKind = undefined
    runLines = []
  }
  for (const line of linesOf(markdown)) {
    const bare = withoutBreak(line)
    if (fence !== undefined) {
      fenceLines.push(line)
      if (closesFence(bare, fence)) {
        blocks.push({ kind: "fence", text: fenceLines.join(""), fence, closed: true })
        fence = undefined
        fenceLines = []
      }
      continue
    }
    const opened = fenceOpenedBy(bare)
    if (opened !== undefined) {
      flushRun()
      fence = opened
      fenceLines = [line]
      continue
    }
    const kind = lineKind(bare, runKind)
    if (kind !== runKind) flushRun()
    runKind = kind
    runLines.push(line)
  }
  flushRun()
  if (fence !== undefined) blocks.push({ kind: "fence", text: fenceLines.join(""), fence, closed: false })
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
