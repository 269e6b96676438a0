import { DownloadFailed, MediaSource } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { DingTalkApi } from "./DingTalkApi.js"
import { downloadWatchdog } from "./downloadWatchdog.js"
import { DOWNLOAD_DEFAULTS } from "./OpenApiConfig.js"
import { PresignedGetError, presignedGet, responseChunks } from "./presignedGet.js"
import { makeReadBufferAgents } from "./ReadBufferAgents.js"
import { releaseChunk } from "./releaseChunk.js"

const DownloadAnswer = Schema.Union([
  Schema.Struct({ downloadUrl: Schema.String }),
  Schema.Struct({ data: Schema.Struct({ downloadUrl: Schema.String }) }),
])

const tooLarge = (maxBytes: number) =>
  new DownloadFailed({ reason: "too-large", message: `the file is over the ${maxBytes}-byte download cap` })

/**
 * `messageFiles/download` for a pre-signed URL, then a plain GET of it, streamed with a deadline and a byte cap.
 * The GET is node:http, not ky: fetch gives no hold on socket reads, and their buffers are what a download costs.
 */
export const makeOpenApiMediaSource = Effect.gen(function* () {
  const api = yield* DingTalkApi
  const { robotCode, downloadMaxBytes, downloadTimeoutMs, requestTimeoutMs } = api.config
  const pace = {
    totalTimeoutMs: api.config.downloadTotalTimeoutMs,
    minBytesPerSecond: api.config.downloadMinBytesPerSecond,
    rateWindowMs: DOWNLOAD_DEFAULTS.rateWindowMs,
  }
  const targets = {
    trustedOrigin: new URL(api.config.apiBase).origin,
    allowPrivateHosts: api.config.downloadAllowPrivateHosts,
  }

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

  const agents = makeReadBufferAgents()

  const get = (downloadUrl: string) =>
    Effect.tryPromise({
      try: (signal) => presignedGet(downloadUrl, agents, downloadTimeoutMs, signal, targets),
      catch: (error) =>
        new DownloadFailed({
          reason: "network",
          message: error instanceof PresignedGetError ? error.message : "download unreachable",
        }),
    }).pipe(
      Effect.timeoutOrElse({
        duration: requestTimeoutMs,
        orElse: () =>
          Effect.fail(new DownloadFailed({ reason: "timeout", message: "download did not start in time" })),
      }),
    )

  const interrupted = () => new DownloadFailed({ reason: "network", message: "download interrupted" })

  return MediaSource.of({
    open: (downloadCode) =>
      Effect.gen(function* () {
        const url = yield* resolveUrl(downloadCode)
        const response = yield* get(url)
        const status = response.statusCode ?? 0
        if (status < 200 || status > 299) {
          response.destroy()
          return yield* new DownloadFailed({
            reason: "http",
            status,
            message: `download answered HTTP ${status}`,
          })
        }
        const announced = Number(response.headers["content-length"] ?? Number.NaN)
        if (Number.isFinite(announced) && announced > downloadMaxBytes) {
          response.destroy()
          return yield* tooLarge(downloadMaxBytes)
        }
        let received = 0
        const contentType = response.headers["content-type"]
        const bytes = responseChunks(response, interrupted).pipe(
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
          Stream.interruptWhen(downloadWatchdog(pace, () => received)),
        )
        return {
          bytes,
          release: releaseChunk,
          ...(contentType === undefined ? {} : { contentType }),
          ...(Number.isFinite(announced) ? { contentLength: announced } : {}),
        }
      }).pipe(Effect.withSpan("MediaSource.open")),
  })
})

export const openApiMediaSourceLayer = Layer.effect(MediaSource, makeOpenApiMediaSource)
