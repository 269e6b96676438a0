import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"

export class DownloadFailed extends Schema.TaggedError<DownloadFailed>()("DownloadFailed", {
  reason: Schema.Literals(["http", "timeout", "too-large", "network", "credentials"]),
  status: Schema.optional(Schema.Number),
  message: Schema.String,
}) {}

export interface MediaBody {
  readonly contentType?: string
  readonly contentLength?: number
  readonly bytes: Stream.Stream<Uint8Array, DownloadFailed>
  /** Frees a chunk of `bytes` at once; call it when done with the chunk, which must not be read again. */
  readonly release?: (chunk: Uint8Array) => void
}

/** Resolves a message's `downloadCode` to a byte stream (`robot/messageFiles/download`, then a plain GET). */
export class MediaSource extends Context.Service<
  MediaSource,
  {
    readonly open: (downloadCode: string) => Effect.Effect<MediaBody, DownloadFailed>
  }
>()("@openpollen/core/MediaSource") {}
