import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { MEDIA_SIZE_LIMITS, type MediaMessage, MediaSendFailed, MediaSink } from "../ports/MediaSink.js"
import type { MediaKind } from "../rules/findMediaReferences.js"

export interface FakeUpload {
  readonly mediaId: string
  readonly kind: MediaKind
  readonly fileName: string
  readonly bytes: Uint8Array
}

export type MediaSend =
  | { readonly to: "group"; readonly openConversationId: string; readonly message: MediaMessage }
  | { readonly to: "users"; readonly staffIds: ReadonlyArray<string>; readonly message: MediaMessage }

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const bytes = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  return bytes
}

/** Keeps uploads in memory under DingTalk's size limits and records every media message; failures are scripted. */
export const makeFakeMediaSink = () => {
  const uploads: Array<FakeUpload> = []
  const sent: Array<MediaSend> = []
  const scripted: Array<MediaSendFailed> = []
  const next = <A>(effect: Effect.Effect<A, MediaSendFailed>) =>
    Effect.suspend(() => {
      const failure = scripted.shift()
      return failure === undefined ? effect : Effect.fail(failure)
    })
  const knows = (message: MediaMessage) =>
    message._tag === "File"
      ? uploads.some((upload) => upload.mediaId === message.mediaId)
      : message.photoURL.startsWith("https://") ||
        uploads.some((upload) => upload.mediaId === message.photoURL)
  const record = (send: MediaSend) =>
    next(
      Effect.suspend(() => {
        if (!knows(send.message))
          return Effect.fail(
            new MediaSendFailed({
              step: "send",
              reason: "http",
              status: 400,
              retryable: false,
              message: "unknown media",
            }),
          )
        sent.push(send)
        return Effect.void
      }),
    )
  return {
    layer: Layer.succeed(
      MediaSink,
      MediaSink.of({
        upload: (upload) =>
          next(Effect.void).pipe(
            Effect.andThen(Stream.runCollect(upload.body)),
            Effect.flatMap((chunks) => {
              const bytes = concat(chunks)
              if (bytes.length > MEDIA_SIZE_LIMITS[upload.kind])
                return Effect.fail(
                  new MediaSendFailed({
                    step: "upload",
                    reason: "too-large",
                    retryable: false,
                    message: `${upload.kind} over ${MEDIA_SIZE_LIMITS[upload.kind]} bytes`,
                  }),
                )
              const mediaId = `@fake-media-${uploads.length + 1}`
              uploads.push({ mediaId, kind: upload.kind, fileName: upload.fileName, bytes })
              return Effect.succeed(mediaId)
            }),
          ),
        sendToGroup: (openConversationId, message) => record({ to: "group", openConversationId, message }),
        sendToUsers: (staffIds, message) => record({ to: "users", staffIds: [...staffIds], message }),
      }),
    ),
    uploads,
    sent,
    failNext: (...errors: ReadonlyArray<MediaSendFailed>) => void scripted.push(...errors),
  }
}
