import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { Attachment } from "../domain/InboundMessage.js"
import type { AgentAttachment } from "../ports/Agent.js"
import { FileStore } from "../ports/FileStore.js"
import { MediaSource } from "../ports/MediaSource.js"

export class AttachmentUnavailable extends Schema.TaggedError<AttachmentUnavailable>()(
  "AttachmentUnavailable",
  {
    /** The attachment's kind: picture, audio, video or file. */
    kind: Schema.String,
    /** Which step failed: fetching the bytes from DingTalk, or keeping them on disk. */
    step: Schema.Literals(["download", "store"]),
    /** The port's reason: DownloadFailed's (`http`, `too-large`, …) or FileStoreError's (`too-large`, `io`). */
    reason: Schema.String,
    status: Schema.optional(Schema.Number),
    message: Schema.String,
  },
) {}

const extensionOf = (fileName: string): string | undefined => {
  const extension = /\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1]
  return extension?.toLowerCase()
}

const downloadOne = (attachment: Attachment) =>
  Effect.gen(function* () {
    const media = yield* MediaSource
    const files = yield* FileStore
    const body = yield* media.open(attachment.downloadCode)
    const extensionHint = attachment.kind === "file" ? extensionOf(attachment.fileName) : undefined
    const stored = yield* files.store({
      bytes: body.bytes,
      ...(body.release === undefined ? {} : { release: body.release }),
      ...(body.contentType === undefined ? {} : { contentType: body.contentType }),
      ...(extensionHint === undefined ? {} : { extensionHint }),
    })
    return {
      kind: attachment.kind,
      path: stored.path,
      ...(attachment.kind === "file" ? { fileName: attachment.fileName } : {}),
      ...(stored.contentType === undefined ? {} : { contentType: stored.contentType }),
    } satisfies AgentAttachment
  }).pipe(
    Effect.mapError(
      (error) =>
        new AttachmentUnavailable({
          kind: attachment.kind,
          step: error._tag === "DownloadFailed" ? "download" : "store",
          reason: error.reason,
          ...(error._tag === "DownloadFailed" && error.status !== undefined ? { status: error.status } : {}),
          message: error.message,
        }),
    ),
    Effect.withSpan("downloadAttachment", { attributes: { kind: attachment.kind } }),
  )

/** Downloads every attachment of a message into the FileStore, in order; the first failure stops it. */
export const downloadAttachments = (attachments: ReadonlyArray<Attachment>) =>
  Effect.forEach(attachments, downloadOne, { concurrency: 2 })
