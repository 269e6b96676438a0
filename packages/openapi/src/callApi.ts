import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import ky, { HTTPError, TimeoutError } from "ky"
import { ApiCallFailed } from "./ApiCallFailed.js"

const ErrorBody = Schema.Struct({
  code: Schema.optional(Schema.String),
  message: Schema.optional(Schema.String),
  accessdenieddetail: Schema.optional(
    Schema.Struct({ requiredScopes: Schema.optional(Schema.Array(Schema.String)) }),
  ),
})

const describeFailure = (error: HTTPError): ApiCallFailed => {
  const body = Schema.decodeUnknownOption(ErrorBody)(error.data)
  const code = body._tag === "Some" ? body.value.code : undefined
  const scopes = body._tag === "Some" ? body.value.accessdenieddetail?.requiredScopes : undefined
  const status = error.response.status
  return new ApiCallFailed({
    kind: "http",
    status,
    ...(code === undefined ? {} : { code }),
    ...(scopes?.length ? { requiredScopes: scopes } : {}),
    message: `HTTP ${status}${code === undefined ? "" : ` ${code}`}${scopes?.length ? ` (requires ${scopes.join(", ")})` : ""}`,
  })
}

const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"])

/** fetch reports a refused connection or an unknown host as a TypeError whose cause carries the socket's code. */
const neverSent = (error: unknown): boolean => {
  const cause = (error as { readonly cause?: { readonly code?: unknown } } | undefined)?.cause
  return typeof cause?.code === "string" && NOT_SENT_CODES.has(cause.code)
}

export interface ApiCall {
  readonly apiBase: string
  readonly path: string
  /** Default POST; the card streaming API is a PUT. */
  readonly method?: "post" | "put"
  readonly body: unknown
  readonly token?: Redacted.Redacted<string>
  readonly timeoutMs: number
}

/** One POST (or PUT) to DingTalk's v1.0 API, cancelled on interruption; failures become ApiCallFailed (no retry here). */
export const callApi = (call: ApiCall): Effect.Effect<unknown, ApiCallFailed> =>
  Effect.tryPromise({
    try: (signal) =>
      ky(new URL(call.path, call.apiBase), {
        method: call.method ?? "post",
        json: call.body,
        headers: {
          accept: "application/json",
          ...(call.token === undefined ? {} : { "x-acs-dingtalk-access-token": Redacted.value(call.token) }),
        },
        timeout: call.timeoutMs,
        retry: 0,
        signal,
      }).json<unknown>(),
    catch: (error) => error,
  }).pipe(
    Effect.catch((error) => {
      if (error instanceof HTTPError) return Effect.fail(describeFailure(error))
      if (error instanceof TimeoutError)
        return Effect.fail(
          new ApiCallFailed({
            kind: "timeout",
            message: `${call.path} timed out after ${call.timeoutMs} ms`,
          }),
        )
      if (error instanceof SyntaxError)
        return Effect.fail(
          new ApiCallFailed({
            kind: "malformed",
            message: `${call.path} answered something other than JSON`,
          }),
        )
      return Effect.fail(
        new ApiCallFailed({
          kind: "network",
          notSent: neverSent(error),
          message: `${call.path} unreachable`,
        }),
      )
    }),
  )
