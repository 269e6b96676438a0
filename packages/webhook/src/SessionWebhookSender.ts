import {
  type MarkdownMessage,
  SessionWebhook,
  WebhookExpired,
  WebhookFailed,
  WebhookOversize,
  webhookBody,
} from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { WEBHOOK_DEFAULTS } from "./defaults.js"
import { type JsonPoster, makeJsonPoster, PostFailed } from "./postJson.js"

export interface SessionWebhookConfig {
  /** Origin that session webhooks must live on. Default WEBHOOK_DEFAULTS.oapiBase. */
  readonly oapiBase?: string
  /** Per-request timeout. Default 10 s. */
  readonly timeoutMs?: number
}

const WebhookAnswer = Schema.Struct({ errcode: Schema.Number, errmsg: Schema.optional(Schema.String) })
const decodeWebhookAnswer = Schema.decodeUnknownResult(WebhookAnswer)

const trustedOrigin = (oapiBase: string) => new URL(oapiBase).origin

const checkUrl = (url: string, origin: string): Result.Result<URL, WebhookFailed> => {
  const untrusted = (why: string) =>
    Result.fail(
      new WebhookFailed({
        reason: "untrusted-url",
        certainty: "certain",
        message: `refused a session webhook ${why}`,
      }),
    )
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return untrusted("that is not a URL")
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    return untrusted(`with protocol ${parsed.protocol}`)
  if (parsed.origin !== origin) return untrusted(`on ${parsed.origin}; only ${origin} is trusted`)
  return Result.succeed(parsed)
}

const timedOut = (timeoutMs: number) =>
  new WebhookFailed({
    reason: "timeout",
    certainty: "ambiguous",
    message: `session webhook timed out after ${timeoutMs} ms`,
  })

const post = (poster: JsonPoster, url: URL, message: MarkdownMessage, timeoutMs: number) =>
  Effect.tryPromise({
    try: (interrupted) => poster.post(url, JSON.stringify(webhookBody(message)), timeoutMs, interrupted),
    catch: (error) =>
      error instanceof PostFailed && error.kind === "timeout"
        ? timedOut(timeoutMs)
        : new WebhookFailed({
            reason: "network",
            certainty: error instanceof PostFailed && error.notSent ? "certain" : "ambiguous",
            message: "session webhook unreachable",
          }),
  })

/** errmsg comes from the network: keep it short, and keep the session id out even if a server echoes it. */
const describeErrmsg = (errmsg: string | undefined, url: URL) => {
  if (!errmsg) return ""
  const session = url.searchParams.get("session")
  const scrubbed = session ? errmsg.replaceAll(session, "***") : errmsg
  return `: ${scrubbed.slice(0, 200)}`
}

const interpret = (
  answer: {
    readonly status: number
    readonly body: unknown
  },
  url: URL,
): Effect.Effect<void, WebhookExpired | WebhookOversize | WebhookFailed> => {
  if (answer.status !== 200)
    return Effect.fail(
      new WebhookFailed({
        reason: "http",
        status: answer.status,
        // A 4xx refused the request; after a 5xx the message may have gone out.
        certainty: answer.status >= 500 ? "ambiguous" : "certain",
        message: `session webhook answered HTTP ${answer.status}`,
      }),
    )
  const decoded = decodeWebhookAnswer(answer.body)
  if (Result.isFailure(decoded))
    return Effect.fail(
      new WebhookFailed({
        reason: "http",
        status: 200,
        certainty: "ambiguous",
        message: "session webhook answered without an errcode",
      }),
    )
  const { errcode, errmsg } = decoded.success
  if (errcode === 0) return Effect.void
  if (errcode === 300001) return Effect.fail(new WebhookExpired({ errcode }))
  if (errcode === 460101) return Effect.fail(new WebhookOversize({ errcode }))
  return Effect.fail(
    new WebhookFailed({
      reason: "errcode",
      errcode,
      certainty: "certain",
      message: `session webhook errcode ${errcode}${describeErrmsg(errmsg, url)}`,
    }),
  )
}

/**
 * Sends replies through the session webhook a message arrived with, reading DingTalk's errcode in HTTP 200 bodies.
 * No retry here: a failure says whether the message certainly did not go out, and the caller decides.
 */
export const makeSessionWebhookSender = (
  config: SessionWebhookConfig = {},
  poster: JsonPoster = makeJsonPoster(),
) => {
  const origin = trustedOrigin(config.oapiBase ?? WEBHOOK_DEFAULTS.oapiBase)
  const timeoutMs = config.timeoutMs ?? WEBHOOK_DEFAULTS.timeoutMs
  return SessionWebhook.of({
    send: (url, message) =>
      Effect.gen(function* () {
        const checked = checkUrl(url, origin)
        if (Result.isFailure(checked)) return yield* checked.failure
        const answer = yield* post(poster, checked.success, message, timeoutMs)
        yield* interpret(answer, checked.success)
      }),
  })
}

export const SessionWebhookSender = {
  layer: (config: SessionWebhookConfig = {}) =>
    Layer.effect(
      SessionWebhook,
      Effect.map(
        Effect.acquireRelease(Effect.sync(makeJsonPoster), (poster) => Effect.sync(poster.close)),
        (poster) => makeSessionWebhookSender(config, poster),
      ),
    ),
}
