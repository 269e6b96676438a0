const BACKTICK = 96
/** `/`, `f` or `F`: the only characters that can follow the `<` of a font tag. */
const mayStartFontTag = (code: number): boolean => code === 47 || code === 102 || code === 70

const isSpace = (code: number): boolean => code === 32 || (code >= 9 && code <= 13)

/** End of the `<font …>` or `</font>` tag starting at `start`, or -1: the tag ends before any `<` or line break. */
const fontTagEnd = (text: string, start: number): number => {
  let index = text.charCodeAt(start + 1) === 47 ? start + 2 : start + 1
  for (const letter of [102, 111, 110, 116]) {
    if ((text.charCodeAt(index) | 32) !== letter) return -1
    index += 1
  }
  if (text.charCodeAt(index) === GT) return index + 1
  if (!isSpace(text.charCodeAt(index))) return -1
  for (; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code === GT) return index + 1
    if (code === LT || code === 10) return -1
  }
  return -1
}
const NO_SPANS: Array<number> = []
const LT = 60
const GT = 62

/**
 * Inline code spans of the line `text[from, to)` as start/end pairs (CommonMark: a backtick run is closed by the next
 * run of exactly its length). Linear in the line.
 */
const codeSpansOf = (text: string, from: number, to: number): Array<number> => {
  const runs: Array<number> = []
  for (let index = text.indexOf("`", from); index !== -1 && index < to; index = text.indexOf("`", index)) {
    const start = index
    while (text.charCodeAt(index) === BACKTICK) index += 1
    runs.push(start, index)
  }
  if (runs.length < 4) return []
  const nextOfLength = new Map<number, number>()
  const next = new Array<number>(runs.length / 2)
  for (let run = runs.length / 2 - 1; run >= 0; run--) {
    const length = (runs[2 * run + 1] as number) - (runs[2 * run] as number)
    next[run] = nextOfLength.get(length) ?? -1
    nextOfLength.set(length, run)
  }
  const spans: Array<number> = []
  for (let run = 0; run < next.length; ) {
    const closer = next[run] as number
    if (closer === -1) run += 1
    else {
      spans.push(runs[2 * run] as number, runs[2 * closer + 1] as number)
      run = closer + 1
    }
  }
  return spans
}

/**
 * Escapes raw HTML in Markdown outside inline code, line by line: `<` always (a `<font>` tag is kept), `>` unless it
 * marks a block quote at the start of its line. Text inside code spans is copied as it is. Linear in the text.
 */
export const escapeHtmlOutsideInlineCode = (text: string): string => {
  const out: Array<string> = []
  let copied = 0
  let lineStart = 0
  let nextBacktick = text.indexOf("`")
  while (lineStart <= text.length) {
    const newline = text.indexOf("\n", lineStart)
    const lineEnd = newline === -1 ? text.length : newline
    if (nextBacktick !== -1 && nextBacktick < lineStart) nextBacktick = text.indexOf("`", lineStart)
    const spans =
      nextBacktick !== -1 && nextBacktick < lineEnd ? codeSpansOf(text, nextBacktick, lineEnd) : NO_SPANS
    let span = 0
    let quotePrefix = true
    for (let index = lineStart; index < lineEnd; ) {
      if (spans[span] === index) {
        index = spans[span + 1] as number
        span += 2
        quotePrefix = false
        continue
      }
      const code = text.charCodeAt(index)
      if (code === LT) {
        const tagEnd = mayStartFontTag(text.charCodeAt(index + 1)) ? fontTagEnd(text, index) : -1
        if (tagEnd !== -1) {
          index = tagEnd
          quotePrefix = false
          continue
        }
        if (index > copied) out.push(text.slice(copied, index))
        let run = index + 1
        while (text.charCodeAt(run) === LT && !mayStartFontTag(text.charCodeAt(run + 1))) run += 1
        out.push(run === index + 1 ? "&lt;" : "&lt;".repeat(run - index))
        copied = run
        index = run
        quotePrefix = false
        continue
      } else if (code === GT && !quotePrefix) {
        if (index > copied) out.push(text.slice(copied, index))
        let run = index + 1
        while (text.charCodeAt(run) === GT) run += 1
        out.push(run === index + 1 ? "&gt;" : "&gt;".repeat(run - index))
        copied = run
        index = run
        continue
      }
      if (code !== GT && code !== 32 && code !== 9) quotePrefix = false
      index += 1
    }
    if (newline === -1) break
    lineStart = newline + 1
  }
  if (out.length === 0) return text
  out.push(text.slice(copied))
  return out.join("")
}
