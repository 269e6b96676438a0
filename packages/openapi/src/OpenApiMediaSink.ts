import {
  extensionOf,
  MEDIA_SIZE_LIMITS,
  type MediaMessage,
  MediaSendFailed,
  MediaSink,
  type MediaUpload,
} from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { AccessTokens, type TokenUnavailable } from "./AccessTokens.js"
import { DingTalkApi } from "./DingTalkApi.js"
import { type RobotMessageBody, type RobotSendFailure, sendToGroup, sendToUsers } from "./robotSend.js"
import { streamUpload, type UploadAnswer, UploadTransportError } from "./streamUpload.js"
import { TRANSIENT_RETRIES, transientBackoff } from "./transientRetry.js"

/** An upload fails when no byte moves for this long (the whole file may take longer). */
const UPLOAD_IDLE_TIMEOUT_MS = 60_000
const INVALID_TOKEN_ERRCODES = new Set([40014, 42001])
const TOO_LARGE_ERRCODE = 40006
const QPS_ERRCODE = 90018

const UploadAnswerBody = Schema.Struct({
  errcode: Schema.Number,
  errmsg: Schema.optional(Schema.String),
  media_id: Schema.optional(Schema.String),
})

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  bmp: "image/bmp",
  webp: "image/webp",
  pdf: "application/pdf",
}

const uploadFailed = (fields: Omit<ConstructorParameters<typeof MediaSendFailed>[0], "step">) =>
  new MediaSendFailed({ step: "upload", ...fields })

const tokenFailed = (error: TokenUnavailable) =>
  uploadFailed({
    reason:
      error.reason === "credentials" ? "credentials" : error.reason === "timeout" ? "timeout" : "network",
    retryable: error.retryable,
    message: error.message,
  })

/** DingTalk's answer to `media/upload`: HTTP 200 with `{errcode, errmsg, media_id}`. */
const mediaIdOf = (answer: UploadAnswer): Result.Result<string, MediaSendFailed> => {
  if (answer.status !== 200)
    return Result.fail(
      uploadFailed({
        reason: "http",
        status: answer.status,
        retryable: answer.status >= 500,
        message: `media/upload answered HTTP ${answer.status}`,
      }),
    )
  const parsed = Schema.decodeUnknownOption(Schema.fromJsonString(UploadAnswerBody))(answer.text)
  if (parsed._tag === "None")
    return Result.fail(
      uploadFailed({ reason: "http", retryable: false, message: "media/upload answered no JSON" }),
    )
  const { errcode, errmsg, media_id: mediaId } = parsed.value
  if (errcode === 0 && mediaId !== undefined && mediaId !== "") return Result.succeed(mediaId)
  return Result.fail(
    uploadFailed({
      reason:
        errcode === TOO_LARGE_ERRCODE
          ? "too-large"
          : errcode === QPS_ERRCODE
            ? "throttled"
            : INVALID_TOKEN_ERRCODES.has(errcode)
              ? "credentials"
              : "errcode",
      errcode,
      retryable: errcode === QPS_ERRCODE,
      message: `media/upload errcode ${errcode}${errmsg === undefined ? "" : ` ${errmsg}`}`,
    }),
  )
}

const messageBody = (message: MediaMessage): RobotMessageBody =>
  message._tag === "Image"
    ? { msgKey: "sampleImageMsg", msgParam: JSON.stringify({ photoURL: message.photoURL }) }
    : {
        msgKey: "sampleFile",
        msgParam: JSON.stringify({
          mediaId: message.mediaId,
          fileName: message.fileName,
          fileType: message.fileType,
        }),
      }

const sendFailed = (failure: RobotSendFailure) => new MediaSendFailed({ step: "send", ...failure })

/**
 * Media through DingTalk: files are streamed to `{oapiBase}/media/upload` (the access token in the query, as the
 * legacy API wants; an invalid one is refreshed and the upload repeated once, a throttled, 5xx or network failure
 * retried like any Open API call) and shown with `sampleImageMsg` / `sampleFile` robot messages.
 */
export const makeOpenApiMediaSink = (oapiBase: string) =>
  Effect.gen(function* () {
    const api = yield* DingTalkApi
    const tokens = yield* AccessTokens

    const uploadOnce = <E>(upload: MediaUpload<E>) =>
      Effect.gen(function* () {
        const token = yield* tokens.get.pipe(Effect.mapError(tokenFailed))
        const url = new URL("/media/upload", oapiBase)
        url.searchParams.set("access_token", Redacted.value(token))
        url.searchParams.set("type", upload.kind)
        const answer = yield* streamUpload({
          url,
          field: "media",
          fileName: upload.fileName,
          contentType: CONTENT_TYPES[extensionOf(upload.fileName)] ?? "application/octet-stream",
          bytes: upload.bytes,
          body: upload.body,
          idleTimeoutMs: UPLOAD_IDLE_TIMEOUT_MS,
        }).pipe(
          Effect.mapError((error) =>
            error instanceof UploadTransportError
              ? uploadFailed({
                  reason: error.kind,
                  retryable: error.transient,
                  message: `media/upload: ${error.message}`,
                })
              : error,
          ),
        )
        const mediaId = mediaIdOf(answer)
        if (Result.isSuccess(mediaId)) return mediaId.success
        if (mediaId.failure.errcode !== undefined && INVALID_TOKEN_ERRCODES.has(mediaId.failure.errcode))
          yield* tokens.invalidate(token)
        return yield* mediaId.failure
      })

    return MediaSink.of({
      upload: (upload) =>
        upload.bytes > MEDIA_SIZE_LIMITS[upload.kind]
          ? Effect.fail(
              uploadFailed({
                reason: "too-large",
                retryable: false,
                message: `${upload.kind} of ${upload.bytes} bytes is over DingTalk's ${MEDIA_SIZE_LIMITS[upload.kind]}`,
              }),
            )
          : uploadOnce(upload).pipe(
              Effect.retry({
                times: 1,
                while: (error) =>
                  error instanceof MediaSendFailed &&
                  error.errcode !== undefined &&
                  INVALID_TOKEN_ERRCODES.has(error.errcode),
              }),
              // An upload only makes a media id (another copy costs nothing), so any transient failure is retried,
              // even one that may have reached DingTalk; the body is read again from the file each time.
              Effect.retry({
                schedule: transientBackoff(api.config.retryBaseMs),
                times: TRANSIENT_RETRIES,
                while: (error) => error instanceof MediaSendFailed && error.retryable,
              }),
              Effect.withSpan("MediaSink.upload", { attributes: { kind: upload.kind } }),
            ),
      sendToGroup: (openConversationId, message) =>
        sendToGroup(api, openConversationId, messageBody(message)).pipe(Effect.mapError(sendFailed)),
      sendToUsers: (staffIds, message) =>
        sendToUsers(api, staffIds, messageBody(message)).pipe(Effect.mapError(sendFailed)),
    })
  })

export const openApiMediaSinkLayer = (oapiBase: string) =>
  Layer.effect(MediaSink, makeOpenApiMediaSink(oapiBase))
