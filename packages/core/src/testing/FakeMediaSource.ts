import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { DownloadFailed, MediaSource } from "../ports/MediaSource.js"

/** Serves bytes registered under a downloadCode; unknown codes fail like an expired code would. */
export const makeFakeMediaSource = () => {
  const media = new Map<string, { readonly bytes: Uint8Array; readonly contentType?: string }>()
  const failures = new Map<string, DownloadFailed>()
  const opened: Array<string> = []
  return {
    layer: Layer.succeed(
      MediaSource,
      MediaSource.of({
        open: (downloadCode) =>
          Effect.suspend(() => {
            opened.push(downloadCode)
            const failure = failures.get(downloadCode)
            if (failure !== undefined) return Effect.fail(failure)
            const entry = media.get(downloadCode)
            if (entry === undefined)
              return Effect.fail(
                new DownloadFailed({ reason: "http", status: 404, message: "unknown downloadCode" }),
              )
            return Effect.succeed({
              ...(entry.contentType === undefined ? {} : { contentType: entry.contentType }),
              contentLength: entry.bytes.length,
              bytes: Stream.make(entry.bytes),
            })
          }),
      }),
    ),
    register: (downloadCode: string, bytes: Uint8Array, contentType?: string) =>
      void media.set(downloadCode, contentType === undefined ? { bytes } : { bytes, contentType }),
    failWith: (downloadCode: string, error: DownloadFailed) => void failures.set(downloadCode, error),
    opened,
  }
}
