import { DownloadFailed, MediaSource } from "@openpollen/core"
import { Effect, Layer, Result, Schema, Stream } from "effect"
import ky, { HTTPError, TimeoutError } from "ky"
import { DingTalkApi } from "./DingTalkApi.js"

const DownloadAnswer = Schema.Union([
  Schema.Struct({ downloadUrl: Schema.String }),
  Schema.Struct({ data: Schema.Struct({ downloadUrl: Schema.String }) }),
])

const tooLarge = (maxBytes: number) =>
  new DownloadFailed({ reason: "too-large", message: `the file is over the ${maxBytes}-byte download cap` })

/** `messageFiles/download` for a pre-signed URL, then a plain GET of it, streamed with a deadline and a byte cap. */
export const makeOpenApiMediaSource = Effect.gen(function* () {
  const api = yield* DingTalkApi
  const { robotCode, downloadMaxBytes, downloadTimeoutMs, requestTimeoutMs } = api.config

  const resolveUrl = (downloadCode: string) =>
    api.post("/v1.0/robot/messageFiles/download", { downloadCode, robotCode }).pipe(
      Effect.mapError(
        (error) =>
          new DownloadFailed({
            reason:
              error._tag === "TokenUnavailable"
                ? "credentials"
                : error.kind === "timeout"
                  ? "timeout"
                  : error.kind === "network"
                    ? "network"
                    : "http",
            ...(error._tag === "ApiCallFailed" && error.status !== undefined ? { status: error.status } : {}),
            message: `messageFiles/download failed: ${error.message}`,
          }),
      ),
      Effect.flatMap((answer) => {
        const decoded = Schema.decodeUnknownResult(DownloadAnswer)(answer)
        if (Result.isFailure(decoded))
          return Effect.fail(
            new DownloadFailed({
              reason: "http",
              message: "messageFiles/download answered without a downloadUrl",
            }),
          )
        return Effect.succeed(
          "downloadUrl" in decoded.success ? decoded.success.downloadUrl : decoded.success.data.downloadUrl,
        )
      }),
    )

  // The URL is pre-signed object storage: any extra header (Content-Type, Authorization) breaks its signature.
  const get = (downloadUrl: string) =>
    Effect.tryPromise({
      try: (signal) => ky.get(downloadUrl, { timeout: requestTimeoutMs, retry: 0, signal }),
      catch: (error) =>
        error instanceof HTTPError
          ? new DownloadFailed({
              reason: "http",
              status: error.response.status,
              message: `download answered HTTP ${error.response.status}`,
            })
          : error instanceof TimeoutError
            ? new DownloadFailed({ reason: "timeout", message: "download did not start in time" })
            : new DownloadFailed({ reason: "network", message: "download unreachable" }),
    })

  return MediaSource.of({
    open: (downloadCode) =>
      Effect.gen(function* () {
        const url = yield* resolveUrl(downloadCode)
        const response = yield* get(url)
        const announced = Number(response.headers.get("content-length") ?? Number.NaN)
        if (Number.isFinite(announced) && announced > downloadMaxBytes) {
          yield* Effect.promise(() => response.body?.cancel() ?? Promise.resolve())
          return yield* tooLarge(downloadMaxBytes)
        }
        const body = response.body
        if (body === null)
          return yield* new DownloadFailed({ reason: "http", message: "download had no body" })
        let received = 0
        const contentType = response.headers.get("content-type") ?? undefined
        const bytes = Stream.fromReadableStream({
          evaluate: () => body,
          onError: () => new DownloadFailed({ reason: "network", message: "download interrupted" }),
        }).pipe(
          Stream.mapEffect((chunk) => {
            received += chunk.length
            return received > downloadMaxBytes
              ? Effect.fail(tooLarge(downloadMaxBytes))
              : Effect.succeed(chunk)
          }),
          Stream.timeoutOrElse({
            duration: downloadTimeoutMs,
            orElse: () =>
              Stream.fail(
                new DownloadFailed({
                  reason: "timeout",
                  message: `download stalled for ${downloadTimeoutMs} ms`,
                }),
              ),
          }),
        )
        return {
          bytes,
          ...(contentType === undefined ? {} : { contentType }),
          ...(Number.isFinite(announced) ? { contentLength: announced } : {}),
        }
      }).pipe(Effect.withSpan("MediaSource.open")),
  })
})

export const openApiMediaSourceLayer = Layer.effect(MediaSource, makeOpenApiMediaSource)
