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

/** Each line of the input with the fence open before and after it, from the block model. */
function* linesWithFences(text: string): Generator<{ line: string; before?: Fence; after?: Fence }> {
  for (const block of parseBlocks(text)) {
    let start = 0
    while (start < block.text.length) {
      const end = block.text.indexOf("\n", start)
      const next = end === -1 ? block.text.length : end + 1
      const line = block.text.slice(start, next)
      if (block.kind !== "fence") yield { line }
      else if (start === 0) yield { line, after: block.fence }
      else if (next === block.text.length && block.closed) yield { line, before: block.fence }
      else yield { line, before: block.fence, after: block.fence }
      start = next
    }
  }
}

const piecesOf = (text: string, budget: number, cost: (piece: string) => number): Array<Piece> => {
  const pieces: Array<Piece> = []
  for (const { line, before, after } of linesWithFences(text)) {
    const lineCost = cost(line)
    const blank = line.trim() === ""
    if (lineCost <= budget) {
      pieces.push({ text: line, cost: lineCost, fenceAfter: after, blank })
      continue
    }
    let sliceStart = 0
    let sliceCost = 0
    for (const part of segmenter.segment(line)) {
      const characterCost = cost(part.segment)
      if (part.index > sliceStart && sliceCost + characterCost > budget) {
        pieces.push({ text: line.slice(sliceStart, part.index), cost: sliceCost, fenceAfter: before, blank })
        sliceStart = part.index
        sliceCost = 0
      }
      sliceCost += characterCost
    }
    pieces.push({ text: line.slice(sliceStart), cost: sliceCost, fenceAfter: after, blank })
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
