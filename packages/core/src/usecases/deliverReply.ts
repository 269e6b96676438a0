import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { InboundMessage, ReplyRoute } from "../domain/InboundMessage.js"
import type { OutboundReply } from "../domain/OutboundReply.js"
import { ChannelSettings } from "../ports/ChannelSettings.js"
import { ConversationStore } from "../ports/ConversationStore.js"
import { SessionWebhook, type WebhookError } from "../ports/SessionWebhook.js"
import { conversationKey } from "../rules/conversationKey.js"
import { splitReplyForWire } from "../rules/splitForWire.js"
import { DeliveryFailed, type FallbackReason } from "./DeliveryFailed.js"
import { openApiTargetOf } from "./openApiTargetOf.js"
import { sendThroughOpenApi } from "./sendThroughOpenApi.js"

export interface Delivered {
  readonly webhookParts: number
  readonly openApiParts: number
  /** Set when the Open API carried parts because the webhook was unusable. */
  readonly fallback?: FallbackReason
  readonly ambiguousRetries: number
}

/**
 * A stored route is replaced by the message's own only when the own one expires this much later: either answers (a
 * session webhook lives 90 minutes), and a busy conversation would otherwise write its route with every message.
 */
export const ROUTE_REFRESH_MS = 300_000

/**
 * The message's session webhook, or a later one of its conversation when a ConversationStore (optional) knows one:
 * with several instances, any of them answers through a recent route. Store failures fall back to the message's.
 */
const replyRouteFor = (message: InboundMessage, robotCode: string) =>
  Effect.gen(function* () {
    const own = message.replyRoute
    const store = yield* Effect.serviceOption(ConversationStore)
    if (Option.isNone(store)) return own
    const key = conversationKey(robotCode, message.conversation.id)
    const warn = (error: { readonly message: string }) =>
      Effect.logWarning("conversation store unavailable; using the message's own webhook").pipe(
        Effect.annotateLogs({ error: error.message }),
        Effect.as(Option.none<ReplyRoute>()),
      )
    const latest = yield* store.value.latest(key).pipe(Effect.catch(warn))
    if (
      own !== undefined &&
      (Option.isNone(latest) || latest.value.expiresAt < own.expiresAt - ROUTE_REFRESH_MS)
    )
      yield* store.value.remember(key, own).pipe(Effect.catch(warn))
    if (Option.isNone(latest)) return own
    return own === undefined || latest.value.expiresAt > own.expiresAt ? latest.value : own
  })

const fallbackReasonOf = (error: WebhookError): FallbackReason =>
  error._tag === "WebhookExpired"
    ? "expired"
    : error._tag === "WebhookOversize"
      ? "errcode"
      : error.reason === "untrusted-url"
        ? "untrusted-host"
        : error.reason === "errcode"
          ? "errcode"
          : error.reason === "http"
            ? "http"
            : "network"

/** An unknown outcome DingTalk answered (a 5xx): the part may be in the chat, so it is not sent again. */
const answeredAmbiguously = (error: WebhookError): boolean =>
  error._tag === "WebhookFailed" &&
  (error.certainty ?? "ambiguous") === "ambiguous" &&
  error.status !== undefined

const noRoute = (at: { readonly part: number; readonly delivered: number; readonly message: string }) =>
  new DeliveryFailed({
    route: "users",
    reason: "no-staff-id",
    certainty: "certain",
    ambiguousRetries: 0,
    ...at,
  })

/** Sends what the webhook did not deliver through the Open API: the rest of the reply, split once for that route. */
const fallBack = (
  message: InboundMessage,
  reply: OutboundReply,
  alreadySent: number,
  reason: FallbackReason,
  firstIsRetry = false,
) =>
  Effect.gen(function* () {
    const target = openApiTargetOf(message)
    if (target === undefined)
      return yield* noRoute({
        part: alreadySent,
        delivered: alreadySent,
        message: "the session webhook is unusable and the DM sender has no staffId for the Open API",
      })
    const parts = splitReplyForWire(reply, target.route, alreadySent).parts
    const sent = yield* sendThroughOpenApi(target, parts, {
      partOffset: alreadySent,
      alreadyDelivered: alreadySent,
      firstIsRetry,
    })
    return {
      webhookParts: alreadySent,
      openApiParts: sent.delivered,
      fallback: reason,
      ambiguousRetries: sent.ambiguousRetries,
    } satisfies Delivered
  })

/**
 * Sends a reply through the message's own session webhook while it is valid, and through the Open API
 * (groupMessages/send or oToMessages/batchSend) for whatever the webhook could not deliver. A part whose webhook
 * delivery is unknown is never sent twice when DingTalk answered; without any answer it gets one more attempt.
 */
export const deliverReply = Effect.fnUntraced(function* (message: InboundMessage, reply: OutboundReply) {
  const settings = yield* ChannelSettings
  const webhook = yield* SessionWebhook
  const now = yield* Clock.currentTimeMillis
  const route = yield* replyRouteFor(message, settings.robotCode)
  const webhookUsable = route !== undefined && route.expiresAt - settings.webhookExpiryMarginMs > now
  if (!webhookUsable) return yield* fallBack(message, reply, 0, "expired")
  const split = splitReplyForWire(reply, "webhook")
  for (const [index, part] of split.parts.entries()) {
    const failure = yield* webhook.send(route.sessionWebhook, part).pipe(
      Effect.as(undefined),
      Effect.catch((error) => Effect.succeed(error)),
    )
    if (failure === undefined) continue
    const reason = fallbackReasonOf(failure)
    yield* Effect.logWarning("session webhook failed; falling back to the Open API").pipe(
      Effect.annotateLogs({ error: failure._tag, reason, part: index }),
    )
    if (answeredAmbiguously(failure))
      return yield* new DeliveryFailed({
        route: "webhook",
        reason,
        part: index,
        delivered: index,
        ambiguousRetries: 0,
        certainty: "ambiguous",
        ...("status" in failure && failure.status !== undefined ? { status: failure.status } : {}),
        message: failure._tag === "WebhookFailed" ? failure.message : failure._tag,
      })
    const rest = { ...reply, markdown: split.remainderFrom(index) }
    const retried = failure._tag === "WebhookFailed" && (failure.certainty ?? "ambiguous") === "ambiguous"
    const delivered = yield* fallBack(message, rest, index, reason, retried).pipe(
      Effect.mapError((error) =>
        retried
          ? new DeliveryFailed({
              route: error.route,
              reason: error.reason,
              part: error.part,
              delivered: error.delivered,
              ambiguousRetries: error.ambiguousRetries + 1,
              certainty: error.certainty,
              ...(error.status === undefined ? {} : { status: error.status }),
              ...(error.errcode === undefined ? {} : { errcode: error.errcode }),
              ...(error.code === undefined ? {} : { code: error.code }),
              message: error.message,
            })
          : error,
      ),
    )
    return {
      ...delivered,
      ambiguousRetries: delivered.ambiguousRetries + (retried ? 1 : 0),
    } satisfies Delivered
  }
  return { webhookParts: split.parts.length, openApiParts: 0, ambiguousRetries: 0 } satisfies Delivered
})
