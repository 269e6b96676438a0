const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" })

/** User-perceived characters: an emoji ZWJ sequence, a flag or a base with combining marks is one. */
export const graphemes = (text: string): Array<string> =>
  Array.from(segmenter.segment(text), (part) => part.segment)

/** The first `count` user-perceived characters of `text`, segmenting no further than needed. */
export const leadingGraphemes = (text: string, count: number): string => {
  if (text.length <= count) return text
  let kept = ""
  let taken = 0
  for (const part of segmenter.segment(text)) {
    if (taken === count) break
    kept += part.segment
    taken += 1
  }
  return kept
}
