const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" })

/** User-perceived characters: an emoji ZWJ sequence, a flag or a base with combining marks is one. */
export const graphemes = (text: string): Array<string> =>
  Array.from(segmenter.segment(text), (part) => part.segment)
