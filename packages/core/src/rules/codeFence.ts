const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/

export interface OpenFence {
  readonly marker: string
  /** The fence's opening line, info string included, to reopen it in a later message. */
  readonly openingLine: string
}

/** The fenced code block still open at the end of `text`, if any. */
export const openFenceAt = (text: string): OpenFence | undefined => {
  let open: OpenFence | undefined
  for (const line of text.split("\n")) {
    const match = FENCE.exec(line)
    if (!match) continue
    const marker = match[1] ?? "```"
    if (open === undefined) open = { marker, openingLine: line.trimStart() }
    else if (
      marker[0] === open.marker[0] &&
      marker.length >= open.marker.length &&
      (match[2] ?? "").trim() === ""
    )
      open = undefined
  }
  return open
}

/** Closes an open fence so everything after it still renders as Markdown. */
export const closeOpenFence = (text: string): string => {
  const open = openFenceAt(text)
  if (open === undefined) return text
  return `${text}${text.endsWith("\n") ? "" : "\n"}${open.marker}`
}
