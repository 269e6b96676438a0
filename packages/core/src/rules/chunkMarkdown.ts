import { type OpenFence, openFenceAt } from "./codeFence.js"
import { graphemes } from "./graphemes.js"

export interface MarkdownChunk {
  /** Consecutive slices of the input: joining every chunk's `content` gives the input back. */
  readonly content: string
  /** The code fence open where the chunk starts (reopen it before the content). */
  readonly reopens?: OpenFence
  /** The code fence still open where the chunk ends (close it after the content). */
  readonly closes?: OpenFence
}

/** Lines with their line breaks kept, so they concatenate back to the input. */
const linesOf = (text: string): Array<string> => text.match(/[^\n]*\n|[^\n]+$/g) ?? []

/**
 * Cuts markdown into chunks whose cost (as measured by `cost`, additive over concatenation) stays within `budget`,
 * preferring paragraph boundaries, then line boundaries, and cutting a single over-long line between graphemes.
 * `fenceCost` is reserved in every chunk for reopening and closing a code fence that spans a cut.
 */
export const chunkMarkdown = (
  text: string,
  budget: number,
  cost: (piece: string) => number,
): ReadonlyArray<MarkdownChunk> => {
  const pieces: Array<{ readonly text: string; readonly cost: number }> = []
  for (const line of linesOf(text)) {
    const lineCost = cost(line)
    if (lineCost <= budget) {
      pieces.push({ text: line, cost: lineCost })
      continue
    }
    let slice = ""
    let sliceCost = 0
    for (const character of graphemes(line)) {
      const characterCost = cost(character)
      if (slice !== "" && sliceCost + characterCost > budget) {
        pieces.push({ text: slice, cost: sliceCost })
        slice = ""
        sliceCost = 0
      }
      slice += character
      sliceCost += characterCost
    }
    if (slice !== "") pieces.push({ text: slice, cost: sliceCost })
  }

  const chunks: Array<MarkdownChunk> = []
  let consumed = ""
  let start = 0
  while (start < pieces.length) {
    let used = 0
    let end = start
    let lastParagraphEnd = -1
    while (end < pieces.length && used + (pieces[end]?.cost ?? 0) <= budget) {
      used += pieces[end]?.cost ?? 0
      if (pieces[end]?.text === "\n" || pieces[end]?.text.trim() === "") lastParagraphEnd = end + 1
      end += 1
    }
    if (end === start) end = start + 1
    const fillsBudget = end < pieces.length
    if (fillsBudget && lastParagraphEnd > start) {
      const paragraphCost = pieces.slice(start, lastParagraphEnd).reduce((sum, piece) => sum + piece.cost, 0)
      if (paragraphCost * 2 >= budget) end = lastParagraphEnd
    }
    const content = pieces
      .slice(start, end)
      .map((piece) => piece.text)
      .join("")
    const reopens = openFenceAt(consumed)
    consumed += content
    const closes = end < pieces.length ? openFenceAt(consumed) : undefined
    chunks.push({ content, ...(reopens ? { reopens } : {}), ...(closes ? { closes } : {}) })
    start = end
  }
  return chunks
}
