import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { MediaFileRefused, MediaFiles } from "../ports/MediaFiles.js"

const lastSegment = (path: string) =>
  path
    .split("/")
    .filter((segment) => segment !== "")
    .at(-1) ?? path

/** Files by the exact path an answer names; any other path is refused as outside the allowed folders. */
export const makeMemoryMediaFiles = () => {
  const files = new Map<string, Uint8Array>()
  const missing = new Set<string>()
  const resolved: Array<string> = []
  return {
    layer: Layer.succeed(
      MediaFiles,
      MediaFiles.of({
        resolve: (path) =>
          Effect.suspend(() => {
            resolved.push(path)
            const fileName = lastSegment(path)
            const bytes = files.get(path)
            if (bytes !== undefined)
              return Effect.succeed({ fileName, bytes: bytes.length, read: Stream.make(bytes) })
            const reason = missing.has(path) ? "missing" : "outside"
            return Effect.fail(new MediaFileRefused({ reason, fileName, message: `${fileName}: ${reason}` }))
          }),
      }),
    ),
    /** A file inside the allowed folders. */
    add: (path: string, bytes: Uint8Array) => void files.set(path, bytes),
    /** A path inside the allowed folders with no file. */
    addMissing: (path: string) => void missing.add(path),
    resolved,
  }
}
