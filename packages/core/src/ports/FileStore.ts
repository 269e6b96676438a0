import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"

export class FileStoreError extends Schema.TaggedError<FileStoreError>()("FileStoreError", {
  reason: Schema.Literals(["too-large", "io"]),
  message: Schema.String,
}) {}

/** Largest file downloaded or stored unless configured otherwise: 20 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024

export interface StoredFile {
  /** Absolute local path. */
  readonly path: string
  readonly bytes: number
  readonly contentType?: string
}

export interface StoreRequest<E> {
  readonly bytes: Stream.Stream<Uint8Array, E>
  /** The store calls it with each chunk once written, and never reads that chunk again (`MediaBody.release`). */
  readonly release?: (chunk: Uint8Array) => void
  readonly contentType?: string
  /** Trusted extension hint such as "xlsx"; never a path. */
  readonly extensionHint?: string
}

/** Stores a byte stream under a generated name: nothing from the network ever becomes part of the path. */
export class FileStore extends Context.Service<
  FileStore,
  {
    readonly store: <E>(request: StoreRequest<E>) => Effect.Effect<StoredFile, FileStoreError | E>
  }
>()("@openpollen/core/FileStore") {}
