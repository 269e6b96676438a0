import { mkdir, open, rename, rm } from "node:fs/promises"
import { homedir } from "node:os"
import { join } from "node:path"
import {
  DEFAULT_MAX_FILE_BYTES,
  FileStore,
  FileStoreError,
  type StoredFile,
  type StoreRequest,
} from "@openpollen/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { chooseExtension } from "./sniffExtension.js"
import { generatedName } from "./storedName.js"
import { sweepUploads } from "./sweepUploads.js"
import { type WritableHandle, writeFully } from "./writeFully.js"

export interface LocalFileStoreConfig {
  /** Default `~/.openpollen/sdk-workspace/uploads` (HOME read when the layer is built). */
  readonly root?: string
  /** Largest file accepted. Default 20 MiB. */
  readonly maxBytes?: number
  readonly retention?: {
    /** Files older than this are removed. Default 7 days. */
    readonly maxAgeDays?: number
    /** The oldest files go once the folder holds more than this. Default 1 GiB. */
    readonly maxTotalBytes?: number
    /** How often retention runs (it also runs at start). Default 1 hour. */
    readonly sweepIntervalMs?: number
  }
}

export const defaultUploadsRoot = () => join(homedir(), ".openpollen", "sdk-workspace", "uploads")

const ioError = (what: string) => () =>
  new FileStoreError({ reason: "io", message: `uploads folder: ${what} failed` })

/** Enough leading bytes to recognise every signature, even when the stream starts with tiny chunks. */
const HEAD_BYTES = 16

const appendHead = (head: Uint8Array, chunk: Uint8Array) => {
  const next = new Uint8Array(Math.min(HEAD_BYTES, head.length + chunk.length))
  next.set(head)
  next.set(chunk.subarray(0, next.length - head.length), head.length)
  return next
}

type OpenTemp = (path: string) => Promise<WritableHandle & { readonly close: () => Promise<void> }>

const openTemp: OpenTemp = (path) => open(path, "wx", 0o600)

/**
 * Writes streamed bytes to a temp file in the root, then renames it: a reader never sees a partial file. `openFile`
 * is for tests that need a handle that misbehaves.
 */
export const storeInto =
  (root: string, maxBytes: number, openFile: OpenTemp = openTemp) =>
  <E>(request: StoreRequest<E>): Effect.Effect<StoredFile, FileStoreError | E> =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const name = generatedName(now)
      const temp = join(root, `.${name}.part`)
      let head: Uint8Array = new Uint8Array()
      let size = 0
      yield* Effect.acquireUseRelease(
        Effect.tryPromise({ try: () => openFile(temp), catch: ioError("creating a file") }),
        (handle) =>
          Stream.runForEach(request.bytes, (chunk) =>
            Effect.gen(function* () {
              size += chunk.length
              if (size > maxBytes)
                return yield* new FileStoreError({
                  reason: "too-large",
                  message: `file is over the ${maxBytes}-byte cap`,
                })
              if (head.length < HEAD_BYTES) head = appendHead(head, chunk)
              yield* Effect.tryPromise({ try: () => writeFully(handle, chunk), catch: ioError("writing") })
              request.release?.(chunk)
            }),
          ),
        (handle, exit) =>
          Effect.promise(async () => {
            await handle.close().catch(() => undefined)
            if (exit._tag === "Failure") await rm(temp, { force: true }).catch(() => undefined)
          }),
      )
      const extension = chooseExtension(head, request.contentType, request.extensionHint)
      const path = join(root, `${name}.${extension}`)
      yield* Effect.tryPromise({ try: () => rename(temp, path), catch: ioError("finishing a file") }).pipe(
        Effect.tapError(() => Effect.promise(() => rm(temp, { force: true }).catch(() => undefined))),
      )
      return {
        path,
        bytes: size,
        ...(request.contentType === undefined ? {} : { contentType: request.contentType }),
      }
    })

/** The uploads FileStore: generated names only, atomic writes, a size cap, and retention by age and total size. */
export const makeLocalFileStore = (config: LocalFileStoreConfig = {}) =>
  Effect.gen(function* () {
    const root = config.root ?? defaultUploadsRoot()
    const maxBytes = config.maxBytes ?? DEFAULT_MAX_FILE_BYTES
    yield* Effect.tryPromise({
      try: () => mkdir(root, { recursive: true, mode: 0o700 }),
      catch: ioError("creating"),
    })
    const retention = {
      maxAgeMs: (config.retention?.maxAgeDays ?? 7) * 86_400_000,
      maxTotalBytes: config.retention?.maxTotalBytes ?? 1024 * 1024 * 1024,
    }
    const sweep = sweepUploads(root, retention).pipe(
      Effect.catch((error) =>
        Effect.logWarning("uploads retention sweep failed").pipe(
          Effect.annotateLogs({ error: error.message }),
        ),
      ),
    )
    yield* sweep.pipe(
      Effect.repeat(Schedule.spaced(Duration.millis(config.retention?.sweepIntervalMs ?? 3_600_000))),
      Effect.forkScoped,
    )
    return FileStore.of({ store: storeInto(root, maxBytes) })
  })

export const LocalFileStore = {
  layer: (config: LocalFileStoreConfig = {}) => Layer.effect(FileStore, makeLocalFileStore(config)),
}
