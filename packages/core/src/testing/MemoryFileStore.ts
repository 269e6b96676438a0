import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { DEFAULT_MAX_FILE_BYTES, FileStore, FileStoreError, type StoredFile } from "../ports/FileStore.js"

/** Keeps stored files in memory under generated absolute paths below `root`. */
export const makeMemoryFileStore = (options: { readonly root?: string; readonly maxBytes?: number } = {}) => {
  const root = options.root ?? "/memory/uploads"
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES
  const files = new Map<string, Uint8Array>()
  let counter = 0
  return {
    layer: Layer.succeed(
      FileStore,
      FileStore.of({
        store: (request) =>
          Effect.gen(function* () {
            const chunks: Array<Uint8Array> = []
            let size = 0
            yield* Stream.runForEach(request.bytes, (chunk) =>
              Effect.suspend(() => {
                size += chunk.length
                if (size > maxBytes)
                  return Effect.fail(
                    new FileStoreError({ reason: "too-large", message: `over ${maxBytes} bytes` }),
                  )
                chunks.push(chunk.slice())
                request.release?.(chunk)
                return Effect.void
              }),
            )
            const bytes = new Uint8Array(size)
            let offset = 0
            for (const chunk of chunks) {
              bytes.set(chunk, offset)
              offset += chunk.length
            }
            counter += 1
            const hint = request.extensionHint
            const extension = hint !== undefined && /^[a-z0-9]{1,8}$/.test(hint) ? hint : "bin"
            const path = `${root}/file-${counter}.${extension}`
            files.set(path, bytes)
            return {
              path,
              bytes: size,
              ...(request.contentType === undefined ? {} : { contentType: request.contentType }),
            } satisfies StoredFile
          }),
      }),
    ),
    files,
    root,
  }
}
