import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"

/** A path the answer named that may not be sent; `message` never holds more of the path than its file name. */
export class MediaFileRefused extends Schema.TaggedError<MediaFileRefused>()("MediaFileRefused", {
  reason: Schema.Literals(["outside", "missing", "unreadable"]),
  fileName: Schema.String,
  message: Schema.String,
}) {}

export interface LocalMedia {
  /** The name the file goes out under (the last segment of the path the answer named). */
  readonly fileName: string
  readonly bytes: number
  /** The file's bytes, read from disk as they are consumed; each run reads it again, checked again. */
  readonly read: Stream.Stream<Uint8Array, MediaFileRefused>
}

/**
 * Local files an answer may attach: only regular files inside the allowed folders, once `..` and symlinks are
 * resolved. Relative paths are taken from the agent's workspace.
 */
export class MediaFiles extends Context.Service<
  MediaFiles,
  {
    readonly resolve: (path: string) => Effect.Effect<LocalMedia, MediaFileRefused>
  }
>()("@openpollen/core/MediaFiles") {}
