import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { PendingMedia } from "../domain/PendingMedia.js"
import { type LocalMedia, MediaFiles } from "../ports/MediaFiles.js"
import { MEDIA_SIZE_LIMITS, MediaSink } from "../ports/MediaSink.js"
import { findMediaReferences, type MediaKind } from "../rules/findMediaReferences.js"
import { type MediaVerdict, replaceMediaReferences } from "../rules/replaceMediaReferences.js"

/** One media message to send after the answer's text, in the order the answer named it. */
export type PlannedMedia =
  | { readonly _tag: "Remote"; readonly fileName: string; readonly url: string }
  | {
      readonly _tag: "Local"
      readonly kind: MediaKind
      readonly fileName: string
      /** As the answer named it: what the journal keeps, to resolve it again after a restart. */
      readonly path: string
      readonly file: LocalMedia
    }

export interface MediaPlan {
  /** The answer's text with each reference replaced by its label or by a note saying why it was not sent. */
  readonly markdown: string
  readonly media: ReadonlyArray<PlannedMedia>
}

/** An answer that names more sends the first ones; the rest keep a note (each is an upload and a message). */
export const MAX_MEDIA_PER_ANSWER = 10

/** Refused or too large for DingTalk, or the file it resolves to. */
const checkLocal = (files: MediaFiles["Service"] | undefined, path: string, kind: MediaKind) =>
  Effect.gen(function* () {
    const resolved = files === undefined ? undefined : yield* files.resolve(path).pipe(Effect.result)
    const limitBytes = MEDIA_SIZE_LIMITS[kind]
    const verdict: MediaVerdict =
      resolved === undefined
        ? { _tag: "NotSent", reason: "outside" }
        : resolved._tag === "Failure"
          ? { _tag: "NotSent", reason: resolved.failure.reason }
          : resolved.success.bytes > limitBytes
            ? { _tag: "NotSent", reason: "too-large", bytes: resolved.success.bytes, limitBytes }
            : { _tag: "Attached" }
    return { verdict, file: resolved?._tag === "Success" ? resolved.success : undefined }
  })

/** What the journal keeps of media still to send. */
export const pendingMediaOf = (media: ReadonlyArray<PlannedMedia>): ReadonlyArray<PendingMedia> =>
  media.map(
    (item): PendingMedia =>
      item._tag === "Remote"
        ? { _tag: "Remote", fileName: item.fileName, url: item.url }
        : { _tag: "Local", kind: item.kind, fileName: item.fileName, path: item.path },
  )

/**
 * Media the journal kept, planned again after a restart: each local file resolved and checked anew. What can no
 * longer be sent (gone, moved out of the allowed folders, grown too large) is named in `unsendable`.
 */
export const replanPending = Effect.fnUntraced(function* (pending: ReadonlyArray<PendingMedia>) {
  const files = Option.getOrUndefined(yield* Effect.serviceOption(MediaFiles))
  const media: Array<PlannedMedia> = []
  const unsendable: Array<string> = []
  for (const item of pending) {
    if (item._tag === "Remote") {
      media.push(item)
      continue
    }
    const { verdict, file } = yield* checkLocal(files, item.path, item.kind)
    if (verdict._tag === "Attached" && file !== undefined) media.push({ ...item, file })
    else unsendable.push(item.fileName)
  }
  return { media, unsendable }
})

/**
 * Which media an answer's references become: local files are resolved inside the allowed folders (MediaFiles) and
 * held to DingTalk's size limits; https images go as they are. Without a MediaSink the answer is left unchanged.
 */
export const planMedia = Effect.fnUntraced(function* (markdown: string) {
  const sink = yield* Effect.serviceOption(MediaSink)
  // Most answers link nothing: they skip the Markdown scan.
  const references = sink._tag === "None" || !markdown.includes("](") ? [] : findMediaReferences(markdown)
  if (references.length === 0) return { markdown, media: [] } satisfies MediaPlan
  const files = yield* Effect.serviceOption(MediaFiles)
  const verdicts: Array<MediaVerdict> = []
  const media: Array<PlannedMedia> = []
  for (const reference of references) {
    const { fileName, kind, target } = reference
    if (media.length >= MAX_MEDIA_PER_ANSWER) {
      verdicts.push({ _tag: "NotSent", reason: "too-many" })
      continue
    }
    if (target._tag === "Remote") {
      verdicts.push({ _tag: "Attached" })
      media.push({ _tag: "Remote", fileName, url: target.url })
      continue
    }
    const { verdict, file } = yield* checkLocal(Option.getOrUndefined(files), target.path, kind)
    verdicts.push(verdict)
    if (verdict._tag === "NotSent")
      yield* Effect.logInfo("a file the answer named is not sent").pipe(
        Effect.annotateLogs({ fileName, reason: verdict.reason }),
      )
    else if (file !== undefined)
      media.push({ _tag: "Local", kind, fileName: file.fileName, path: target.path, file })
  }
  return { markdown: replaceMediaReferences(markdown, references, verdicts), media } satisfies MediaPlan
})
