import { Clock, Effect, Option, Schema } from "effect"
import type { InboundMessage, ReplyRoute } from "../domain/InboundMessage.js"
import type { MarkdownMessage, OutboundReply } from "../domain/OutboundReply.js"
import { ChannelSettings } from "../ports/ChannelSettings.js"
import { ConversationStore } from "../ports/ConversationStore.js"
import { RobotMessenger } from "../ports/RobotMessenger.js"
import { SessionWebhook } from "../ports/SessionWebhook.js"
import { splitForWire } from "../rules/splitForWire.js"

export class DeliveryFailed extends Schema.TaggedError<DeliveryFailed>()("DeliveryFailed", {
  delivered: Schema.Number,
  reason: Schema.String,
}) {}

export interface Delivered {
  readonly webhookParts: number
  readonly openApiParts: number
}

const sendThroughOpenApi = (
  message: InboundMessage,
  parts: ReadonlyArray<MarkdownMessage>,
  alreadyDelivered: number,
) =>
  Effect.gen(function* () {
    const messenger = yield* RobotMessenger
    const route = message.conversation.kind === "group" ? "group" : "users"
    const staffId = message.sender.staffId
    if (route === "users" && staffId === undefined)
      return yield* new DeliveryFailed({
        delivered: alreadyDelivered,
        reason: "the session webhook is unusable and the DM sender has no staffId for the Open API",
      })
    let delivered = 0
    for (const part of parts) {
      const fitted = splitForWire({ title: part.title, markdown: part.text, atUserIds: [] }, route)
      for (const piece of fitted) {
        const send =
          route === "group"
            ? messenger.sendToGroup(message.conversation.id, piece)
            : messenger.sendToUsers([staffId ?? ""], piece)
        yield* send.pipe(
          Effect.mapError(
            (error) =>
              new DeliveryFailed({
                delivered: alreadyDelivered + delivered,
                reason: `open api ${error.reason}${error.code ? ` ${error.code}` : ""}`,
              }),
          ),
        )
        delivered += 1
      }
    }
    return delivered
  })

/**
 * The message's session webhook, or a later one of its conversation when a ConversationStore (optional) knows one:
 * with several instances, any of them answers through the newest route. Store failures fall back to the message's.
 */
const replyRouteFor = (message: InboundMessage, robotCode: string) =>
  Effect.gen(function* () {
    const own = message.replyRoute
    const store = yield* Effect.serviceOption(ConversationStore)
    if (Option.isNone(store)) return own
    const key = `${robotCode}:${message.conversation.id}`
    const warn = (error: { readonly message: string }) =>
      Effect.logWarning("conversation store unavailable; using the message's own webhook").pipe(
        Effect.annotateLogs({ error: error.message }),
        Effect.as(Option.none<ReplyRoute>()),
      )
    if (own !== undefined) yield* store.value.remember(key, own).pipe(Effect.catch(warn))
    const latest = yield* store.value.latest(key).pipe(Effect.catch(warn))
    if (Option.isNone(latest)) return own
    return own === undefined || latest.value.expiresAt > own.expiresAt ? latest.value : own
  })

/**
 * Sends a reply through the message's own session webhook while it is valid, and through the Open API
 * (groupMessages/send or oToMessages/batchSend) for whatever the webhook could not deliver.
 */
export const deliverReply = Effect.fnUntraced(function* (message: InboundMessage, reply: OutboundReply) {
  const settings = yield* ChannelSettings
  const webhook = yield* SessionWebhook
  const now = yield* Clock.currentTimeMillis
  const route = yield* replyRouteFor(message, settings.robotCode)
  const webhookUsable = route !== undefined && route.expiresAt - settings.webhookExpiryMarginMs > now
  if (!webhookUsable) {
    const parts = splitForWire(reply, message.conversation.kind === "group" ? "group" : "users")
    const openApiParts = yield* sendThroughOpenApi(message, parts, 0)
    return { webhookParts: 0, openApiParts } satisfies Delivered
  }
  const parts = splitForWire(reply, "webhook")
  for (const [index, part] of parts.entries()) {
    const failure = yield* webhook.send(route.sessionWebhook, part).pipe(
      Effect.as(undefined),
      Effect.catch((error) => Effect.succeed(error)),
    )
    if (failure === undefined) continue
    yield* Effect.logWarning("session webhook failed; falling back to the Open API").pipe(
      Effect.annotateLogs({
        error: failure._tag,
        reason: "reason" in failure ? failure.reason : failure.errcode,
      }),
    )
    const openApiParts = yield* sendThroughOpenApi(message, parts.slice(index), index)
    return { webhookParts: index, openApiParts } satisfies Delivered
  }
  return { webhookParts: parts.length, openApiParts: 0 } satisfies Delivered
})
