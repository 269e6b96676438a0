import { AgentFailed } from "@openpollen/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { type EventSourceMessage, EventSourceParserStream } from "eventsource-parser/stream"
import ky, { HTTPError, isNetworkError, TimeoutError } from "ky"

export interface ModelRequest {
  readonly url: string
  readonly headers: Readonly<Record<string, string | Redacted.Redacted<string>>>
  readonly body: unknown
  /** Until the response starts, and then between two events. */
  readonly timeoutMs: number
}

/** Statuses worth one more try: throttled, overloaded (529 is Anthropic's), or a gateway in trouble. */
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504, 529])
export const RETRY = { attempts: 2, firstDelayMs: 500, maxWaitMs: 20_000 } as const

const retryAfterMs = (response: Response): number | undefined => {
  const header = response.headers.get("retry-after")
  if (header === null) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(header)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}

const failure = (error: unknown, timeoutMs: number): AgentFailed => {
  if (error instanceof TimeoutError)
    return new AgentFailed({ reason: "timeout", message: `the model did not answer within ${timeoutMs} ms` })
  if (error instanceof HTTPError) {
    const status = error.response.status
    return new AgentFailed({
      reason: [400, 401, 403, 404, 413, 422].includes(status) ? "rejected" : "unavailable",
      message: `the model endpoint answered HTTP ${status}`,
    })
  }
  return new AgentFailed({ reason: "unavailable", message: "the model endpoint is unreachable" })
}

const send = (request: ModelRequest, signal: AbortSignal) =>
  Effect.tryPromise({
    try: () =>
      ky.post(request.url, {
        json: request.body,
        headers: Object.fromEntries(
          Object.entries(request.headers).map(([name, value]) => [
            name,
            Redacted.isRedacted(value) ? Redacted.value(value) : value,
          ]),
        ),
        timeout: request.timeoutMs,
        retry: 0,
        signal,
      }),
    catch: (error) => error,
  })

/** How long to wait before trying again, or undefined when this failure is final. */
const retryDelay = (error: unknown, attempt: number): number | undefined => {
  if (attempt >= RETRY.attempts) return undefined
  const backoff = RETRY.firstDelayMs * 2 ** attempt
  if (error instanceof HTTPError) {
    if (!RETRYABLE.has(error.response.status)) return undefined
    const wait = retryAfterMs(error.response) ?? backoff
    return wait > RETRY.maxWaitMs ? undefined : wait
  }
  return isNetworkError(error) ? backoff : undefined
}

/**
 * POSTs a streamed model request and reads its server-sent events. The request is aborted when the scope closes
 * (the consumer was interrupted or is done). The one retry layer: at most two more tries, only before any event
 * was read (so nothing is answered twice), waiting what `retry-after` says, and not at all when it says more than
 * 20 s. The response body of an error is never read: it may echo the request's key.
 */
export const openEventStream = Effect.fnUntraced(function* (request: ModelRequest) {
  const controller = yield* Effect.acquireRelease(
    Effect.sync(() => new AbortController()),
    (controller) => Effect.sync(() => controller.abort()),
  )
  let attempt = 0
  let response: Response
  while (true) {
    const sent = yield* Effect.result(send(request, controller.signal))
    if (sent._tag === "Success") {
      response = sent.success
      break
    }
    const delay = retryDelay(sent.failure, attempt)
    if (delay === undefined) return yield* failure(sent.failure, request.timeoutMs)
    yield* Effect.logWarning("model request failed; trying again").pipe(
      Effect.annotateLogs({
        status: sent.failure instanceof HTTPError ? sent.failure.response.status : "no response",
        waitMs: delay,
      }),
    )
    attempt += 1
    yield* Effect.sleep(Duration.millis(delay))
  }
  if (response.body === null)
    return yield* new AgentFailed({ reason: "internal", message: "the model answered without a body" })
  const reader = response.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream())
    .getReader()
  const cut = new AgentFailed({ reason: "unavailable", message: "the model's answer was cut off" })
  /** The next event, or None at the end of the stream. */
  const next: Effect.Effect<Option.Option<EventSourceMessage>, AgentFailed> = Effect.tryPromise({
    try: () => reader.read(),
    catch: () => cut,
  }).pipe(
    Effect.map((read) => (read.done ? Option.none() : Option.some(read.value))),
    Effect.timeoutOrElse({
      duration: Duration.millis(request.timeoutMs),
      orElse: () =>
        Effect.fail(
          new AgentFailed({
            reason: "timeout",
            message: `the model sent nothing for ${request.timeoutMs} ms`,
          }),
        ),
    }),
  )
  return { next }
})
