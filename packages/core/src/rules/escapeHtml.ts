const FONT_TAG = /<\/?font(?:\s[^<>]*)?>/iy

interface CodeSpan {
  readonly start: number
  readonly end: number
}

/** Inline code spans of one line (CommonMark: a backtick run is closed by the next run of exactly its length). */
const codeSpansOf = (line: string): Array<CodeSpan> => {
  const runs: Array<CodeSpan> = []
  for (let index = 0; index < line.length; ) {
    if (line[index] !== "`") {
      index += 1
      continue
    }
    const start = index
    while (line[index] === "`") index += 1
    runs.push({ start, end: index })
  }
  const nextOfLength = new Map<number, number>()
  const next = new Array<number>(runs.length).fill(-1)
  for (let index = runs.length - 1; index >= 0; index--) {
    const run = runs[index] as CodeSpan
    const length = run.end - run.start
    next[index] = nextOfLength.get(length) ?? -1
    nextOfLength.set(length, index)
  }
  const spans: Array<CodeSpan> = []
  for (let index = 0; index < runs.length; ) {
    const closer = next[index] ?? -1
    if (closer === -1) {
      index += 1
      continue
    }
    spans.push({ start: (runs[index] as CodeSpan).start, end: (runs[closer] as CodeSpan).end })
    index = closer + 1
  }
  return spans
}

/**
 * Escapes raw HTML in one line of Markdown outside inline code: `<` always (a `<font>` tag is kept), `>` unless it
 * marks a block quote at the start of the line. Linear in the line.
 */
export const escapeHtmlOutsideInlineCode = (line: string): string => {
  const spans = codeSpansOf(line)
  let out = ""
  let spanIndex = 0
  let quotePrefix = true
  for (let index = 0; index < line.length; ) {
    const span = spans[spanIndex]
    if (span !== undefined && span.start === index) {
      out += line.slice(span.start, span.end)
      index = span.end
      spanIndex += 1
      quotePrefix = false
      continue
    }
    const character = line[index] as string
    if (character === "<") {
      FONT_TAG.lastIndex = index
      const font = FONT_TAG.exec(line)?.[0]
      if (font !== undefined) {
        out += font
        index += font.length
        quotePrefix = false
        continue
      }
      out += "&lt;"
    } else if (character === ">") out += quotePrefix ? ">" : "&gt;"
    else out += character
    if (character !== ">" && character !== " " && character !== "\t") quotePrefix = false
    index += 1
  }
  return out
}
