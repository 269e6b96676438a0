import { type Fence, openFenceAt, parseBlocks } from "./markdownBlocks.js"

export interface MarkdownChunk {
  /** Consecutive slices of the input: joining every chunk's `content` gives the input back. */
  readonly content: string
  /** The code fence open where the chunk starts (reopen it before the content). */
  readonly reopens?: Fence
  /** The code fence open at the end of the reopened content (close it after the content). */
  readonly closes?: Fence
}

interface Piece {
  readonly text: string
  readonly cost: number
  /** The fence open in the document right after this piece. */
  readonly fenceAfter: Fence | undefined
  readonly blank: boolean
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" })
const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff

const isBlank = (line: string): boolean => {
  for (let index = 0; index < line.length; index++) {
    const code = line.charCodeAt(index)
    if (code !== 32 && code !== 9 && code !== 10 && code !== 13) return false
  }
  return true
}

/** Cuts an over-long line between graphemes into pieces within `budget`. */
const cutLine = (
  line: string,
  budget: number,
  cost: (piece: string) => number,
  fences: { readonly before: Fence | undefined; readonly after: Fence | undefined },
  pieces: Array<Piece>,
) => {
  const segments = segmenter.segment(line)
  const blank = isBlank(line)
  let sliceStart = 0
  while (sliceStart < line.length) {
    let end = sliceStart
    let used = 0
    while (end < line.length) {
      const width = isHighSurrogate(line.charCodeAt(end)) && end + 1 < line.length ? 2 : 1
      const unitCost = cost(line.slice(end, end + width))
      if (used + unitCost > budget) break
      used += unitCost
      end += width
    }
    if (end < line.length) {
      const grapheme = segments.containing(end)
      end = grapheme?.index ?? end
      if (end <= sliceStart) {
        const first = segments.containing(sliceStart)
        end = first === undefined ? sliceStart + 1 : first.index + first.segment.length
      }
    }
    const last = end >= line.length
    const text = line.slice(sliceStart, end)
    pieces.push({ text, cost: cost(text), fenceAfter: last ? fences.after : fences.before, blank })
    sliceStart = end
  }
}

/** The input as pieces of at most `budget`: whole lines, or cuts of an over-long one, with the fence open after each. */
const piecesOf = (text: string, budget: number, cost: (piece: string) => number): Array<Piece> => {
  const pieces: Array<Piece> = []
  for (const block of parseBlocks(text)) {
    const fence = block.kind === "fence" ? block.fence : undefined
    let start = 0
    while (start < block.text.length) {
      const newline = block.text.indexOf("\n", start)
      const next = newline === -1 ? block.text.length : newline + 1
      const line = block.text.slice(start, next)
      const closing =
        fence !== undefined && next === block.text.length && block.kind === "fence" && block.closed
      const fences = { before: start === 0 ? undefined : fence, after: closing ? undefined : fence }
      const lineCost = cost(line)
      if (lineCost <= budget)
        pieces.push({ text: line, cost: lineCost, fenceAfter: fences.after, blank: block.kind === "blank" })
      else cutLine(line, budget, cost, fences, pieces)
      start = next
    }
  }
  return pieces
}

/** The chunk as sent: its open fence reopened before it, and any fence left open closed after it. */
export const renderChunk = (chunk: MarkdownChunk): string => {
  const opening = chunk.reopens ? `${chunk.reopens.openingLine}\n` : ""
  const closing = chunk.closes ? `${chunk.content.endsWith("\n") ? "" : "\n"}${chunk.closes.closingLine}` : ""
  return `${opening}${chunk.content}${closing}`
}

/**
 * Cuts markdown into chunks whose cost (as measured by `cost`, additive over concatenation) stays within `budget`,
 * preferring paragraph boundaries, then line boundaries, and cutting a single over-long line between graphemes.
 * Linear in the input; the caller reserves room in `budget` for reopening and closing fences.
 */
export const chunkMarkdown = (
  text: string,
  budget: number,
  cost: (piece: string) => number,
): ReadonlyArray<MarkdownChunk> => {
  const pieces = piecesOf(text, budget, cost)
  const chunks: Array<MarkdownChunk> = []
  let reopens: Fence | undefined
  let start = 0
  while (start < pieces.length) {
    let used = 0
    let end = start
    let lastParagraphEnd = -1
    let paragraphCost = 0
    while (end < pieces.length && used + (pieces[end]?.cost ?? 0) <= budget) {
      used += pieces[end]?.cost ?? 0
      if (pieces[end]?.blank === true) {
        lastParagraphEnd = end + 1
        paragraphCost = used
      }
      end += 1
    }
    if (end === start) end = start + 1
    if (end < pieces.length && lastParagraphEnd > start && paragraphCost * 2 >= budget) end = lastParagraphEnd
    let content = ""
    for (let index = start; index < end; index++) content += pieces[index]?.text ?? ""
    const closes = openFenceAt(`${reopens ? `${reopens.openingLine}\n` : ""}${content}`)
    chunks.push({ content, ...(reopens ? { reopens } : {}), ...(closes ? { closes } : {}) })
    reopens = pieces[end - 1]?.fenceAfter
    start = end
  }
  return chunks
}
