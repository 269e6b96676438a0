import { randomUUID } from "node:crypto"
import { type ClientRequest, request as httpRequest, type IncomingMessage } from "node:http"
import { request as httpsRequest } from "node:https"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

const MAX_ANSWER_BYTES = 64 * 1024

/** Why a multipart upload got no usable answer; the message never holds the URL (it carries the token). */
export class UploadTransportError extends Error {
  constructor(
    readonly kind: "timeout" | "network",
    message: string,
    /** Worth another try: false when the file itself is the problem (it changed while it was sent). */
    readonly transient = true,
  ) {
    super(message)
  }
}

export interface StreamUploadRequest<E> {
  /** Holds the access token: never logged, never put in an error. */
  readonly url: URL
  readonly field: string
  readonly fileName: string
  readonly contentType: string
  /** Exact length of `body`, for Content-Length. */
  readonly bytes: number
  readonly body: Stream.Stream<Uint8Array, E>
  /** The request fails when no byte moves either way for this long. */
  readonly idleTimeoutMs: number
}

export interface UploadAnswer {
  readonly status: number
  readonly text: string
}

const quotedName = (fileName: string) => fileName.replace(/["\r\n\\]/g, "_")

/** Opening and closing multipart framing around the file. */
const framing = (field: string, fileName: string, contentType: string) => {
  const boundary = `----openpollen-${randomUUID()}`
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${quotedName(fileName)}"; ` +
      `filename*=UTF-8''${encodeURIComponent(fileName)}\r\nContent-Type: ${contentType}\r\n\r\n`,
  )
  return { boundary, head, tail: Buffer.from(`\r\n--${boundary}--\r\n`) }
}

const answerOf = (response: IncomingMessage) =>
  new Promise<UploadAnswer>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    response.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_ANSWER_BYTES) chunks.push(chunk)
    })
    response.on("end", () =>
      resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
    )
    response.on("error", () => reject(new UploadTransportError("network", "the upload's answer broke off")))
  })

/** Resolves when `request` can take more, or once it is closed (the answer then says what happened). */
const drained = (request: ClientRequest) =>
  Effect.callback<void>((resume) => {
    const done = () => {
      request.off("drain", done)
      request.off("close", done)
      resume(Effect.void)
    }
    request.on("drain", done)
    request.on("close", done)
  })

/**
 * POSTs one file as multipart/form-data, piping `body` into the socket chunk by chunk with backpressure, so memory
 * stays flat whatever the file's size. Interruption aborts the request.
 */
export const streamUpload = <E>(
  upload: StreamUploadRequest<E>,
): Effect.Effect<UploadAnswer, E | UploadTransportError> =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const { boundary, head, tail } = framing(upload.field, upload.fileName, upload.contentType)
      const send = upload.url.protocol === "https:" ? httpsRequest : httpRequest
      const request = send(upload.url, {
        method: "POST",
        headers: {
          "content-type": `multipart/form-data; boundary=${boundary}`,
          "content-length": head.length + upload.bytes + tail.length,
          accept: "application/json",
        },
        timeout: upload.idleTimeoutMs,
      })
      const answer = new Promise<UploadAnswer>((resolve, reject) => {
        request.on("response", (response) => answerOf(response).then(resolve, reject))
        request.on("timeout", () =>
          request.destroy(new UploadTransportError("timeout", `no progress for ${upload.idleTimeoutMs} ms`)),
        )
        request.on("error", (error) =>
          reject(
            error instanceof UploadTransportError
              ? error
              : new UploadTransportError("network", "upload unreachable"),
          ),
        )
      })
      answer.catch(() => undefined)
      return { request, answer, head, tail }
    }),
    ({ request, answer, head, tail }) => {
      const write = (chunk: Uint8Array) =>
        Effect.suspend(() => {
          if (request.destroyed) return Effect.void
          return request.write(chunk) ? Effect.void : drained(request)
        })
      const awaitAnswer = Effect.tryPromise({
        try: () => answer,
        catch: (error) =>
          error instanceof UploadTransportError
            ? error
            : new UploadTransportError("network", "upload unreachable"),
      })
      let sent = 0
      // Content-Length was promised: a body that turns out longer or shorter (the file changed) is not sent as is.
      const changed = () =>
        new UploadTransportError(
          "network",
          `the file changed while it was sent (${sent} of ${upload.bytes} bytes)`,
          false,
        )
      const writeBody = (chunk: Uint8Array) =>
        Effect.suspend(() => {
          sent += chunk.length
          return sent > upload.bytes ? Effect.fail(changed()) : write(chunk)
        })
      const sendAll = write(head).pipe(
        Effect.andThen(Stream.runForEach(upload.body, writeBody)),
        Effect.andThen(Effect.suspend(() => (sent === upload.bytes ? write(tail) : Effect.fail(changed())))),
        Effect.andThen(Effect.sync(() => request.end())),
        Effect.andThen(awaitAnswer),
      )
      // DingTalk may answer (e.g. "too large") before it has read the whole file.
      return Effect.raceFirst(sendAll, awaitAnswer)
    },
    ({ request }, exit) => Effect.sync(() => (exit._tag === "Failure" ? request.destroy() : undefined)),
  )
