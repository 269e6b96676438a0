import * as Effect from "effect/Effect"
import { GatewayOpenError } from "./GatewayOpenError.js"

export interface EndpointRequest {
  readonly apiBase: string
  readonly clientId: string
  readonly clientSecret: string
  readonly userAgent: string
  readonly timeoutMs: number
}

export const ROBOT_TOPIC = "/v1.0/im/bot/messages/get"

/**
 * `POST /v1.0/gateway/connections/open`: a one-use ticket for one WebSocket. Returns the URL to open; interrupting
 * cancels the request. Never puts the URL (it carries the ticket) into an error.
 */
export const requestEndpoint = (request: EndpointRequest): Effect.Effect<string, GatewayOpenError> =>
  Effect.gen(function* () {
    const response = yield* Effect.tryPromise({
      try: (signal) =>
        fetch(new URL("/v1.0/gateway/connections/open", request.apiBase), {
          method: "POST",
          signal: AbortSignal.any([signal, AbortSignal.timeout(request.timeoutMs)]),
          headers: { "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify({
            clientId: request.clientId,
            clientSecret: request.clientSecret,
            ua: request.userAgent,
            subscriptions: [{ type: "CALLBACK", topic: ROBOT_TOPIC }],
          }),
        }),
      catch: (cause) =>
        new GatewayOpenError({
          message:
            cause instanceof Error && cause.name === "TimeoutError"
              ? "gateway timed out"
              : "gateway unreachable",
        }),
    })
    const body = (yield* Effect.promise(() => response.json().catch(() => ({})))) as {
      readonly endpoint?: unknown
      readonly ticket?: unknown
      readonly code?: unknown
    }
    const code = typeof body.code === "string" ? body.code : undefined
    if (!response.ok || typeof body.endpoint !== "string" || typeof body.ticket !== "string")
      return yield* new GatewayOpenError({
        message:
          response.status === 401
            ? "gateway rejected the app credentials (HTTP 401)"
            : `gateway answered HTTP ${response.status}${code === undefined ? "" : ` ${code}`}`,
        status: response.status,
        ...(code === undefined ? {} : { code }),
      })
    return `${body.endpoint}?ticket=${encodeURIComponent(body.ticket)}`
  })
