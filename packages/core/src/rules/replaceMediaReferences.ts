import type { MediaReference } from "./findMediaReferences.js"

/** Why a referenced file was not sent; the chat note says so with the file's name only. */
export type MediaRefusal = "outside" | "missing" | "unreadable" | "too-large" | "too-many"

export type MediaVerdict =
  | { readonly _tag: "Attached" }
  | {
      readonly _tag: "NotSent"
      readonly reason: MediaRefusal
      readonly bytes?: number
      readonly limitBytes?: number
    }

const MB = 1024 * 1024
/** Rounded up to 0.1 MB, so a file just over a limit never reads as equal to it. */
const megabytes = (bytes: number) => `${(Math.ceil((bytes / MB) * 10) / 10).toString()} MB`

const REASONS: Record<MediaRefusal, string> = {
  outside: "outside the folders the bot may share",
  missing: "file not found",
  unreadable: "the file could not be read",
  "too-large": "too large",
  "too-many": "too many files in one answer",
}

/** The visible note that stands for a file that was not sent. */
export const notSentNote = (fileName: string, verdict: Extract<MediaVerdict, { _tag: "NotSent" }>): string =>
  verdict.reason === "too-large" && verdict.bytes !== undefined && verdict.limitBytes !== undefined
    ? `⚠️ ${fileName}: not sent (${megabytes(verdict.bytes)}, over DingTalk's ${megabytes(verdict.limitBytes)} limit)`
    : `⚠️ ${fileName}: not sent (${REASONS[verdict.reason]})`

/** The note sent after the answer when an attached file could not be delivered. */
export const failedMediaNote = (fileNames: ReadonlyArray<string>): string =>
  fileNames.map((fileName) => `⚠️ ${fileName}: could not be sent`).join("\n")

const isLineStart = (text: string, index: number) => index === 0 || text[index - 1] === "\n"

/**
 * The answer's text once its media go as messages of their own: an attached image is removed (the picture follows
 * the text), an attached file becomes `📎 name`, and a reference that is not sent becomes a visible note. When
 * nothing but images was written, the images keep a `🖼 name` label so the text is never empty.
 */
export const replaceMediaReferences = (
  markdown: string,
  references: ReadonlyArray<MediaReference>,
  verdicts: ReadonlyArray<MediaVerdict>,
): string => {
  const render = (labelImages: boolean) => {
    let text = ""
    let from = 0
    for (const [index, reference] of references.entries()) {
      const verdict = verdicts[index] ?? { _tag: "Attached" }
      text += markdown.slice(from, reference.start)
      from = reference.end
      if (verdict._tag === "NotSent") text += notSentNote(reference.fileName, verdict)
      else if (reference.kind === "file") text += `📎 ${reference.fileName}`
      else if (labelImages) text += `🖼 ${reference.fileName}`
      else if (isLineStart(markdown, reference.start) && markdown[reference.end] === "\n") from += 1
    }
    return text + markdown.slice(from)
  }
  const text = render(false)
  return text.trim() === "" && references.length > 0 ? render(true) : text
}

/** The answer as a card shows it while it streams: every complete reference already reads as its label. */
export const hideMediaReferences = (markdown: string, references: ReadonlyArray<MediaReference>): string =>
  replaceMediaReferences(markdown, references, [])
