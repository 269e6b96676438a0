import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { ChannelSettings } from "../ports/ChannelSettings.js"
import { DedupeStore } from "../ports/DedupeStore.js"
import { InboundJournal } from "../ports/InboundJournal.js"
import { cardOutTrackId } from "../rules/cardOutTrackId.js"
import { conversationKey } from "../rules/conversationKey.js"
import { dedupeKey } from "../rules/dedupeKey.js"
import { deservesRefusal, evaluatePolicy } from "../rules/evaluatePolicy.js"
import { prepareReply } from "../rules/prepareReply.js"
import { sessionKeyFor } from "../rules/sessionKeyFor.js"
import { settingsForMessage } from "../rules/settingsForMessage.js"
import { ChannelMetrics } from "./ChannelMetrics.js"
import { type ComposedReply, composeReply } from "./composeReply.js"
import type { DecodedFrame } from "./decodeFrame.js"
import { type Delivered, deliverReply } from "./deliverReply.js"
import { FRIENDLY_REPLIES } from "./friendlyReplies.js"
import type { HandleOutcome } from "./HandleOutcome.js"
import { type PlannedMedia, pendingMediaOf, replanPending } from "./planMedia.js"
import { refuseMessage } from "./refuseMessage.js"
import { sendMedia } from "./sendMedia.js"
import { finalizeStrandedCard, streamReply } from "./streamReply.js"

/**
 * One decoded robot message, end to end: dedupe → policy → attachments → agent → shape → truncate →
 * split → deliver. Never fails: every path ends in a HandleOutcome, recorded in ChannelMetrics.
 */
export const handleMessage = Effect.fnUntraced(function* ({ frame, message }: DecodedFrame) {
  const settings = yield* ChannelSettings
  const dedupe = yield* DedupeStore
  const metrics = yield* ChannelMetrics
  const journal = yield* Effect.serviceOption(InboundJournal)
  // A card an earlier delivery opened is answered in again by the card path; any other ending must close it, but
  // for media resumed after a restart: their answer was finalized in the card before they were noted.
  let cardPathTaken = false
  const closeStrandedCard = (outcome: HandleOutcome) =>
    frame.cardOpened === true &&
    !cardPathTaken &&
    outcome._tag !== "Duplicate" &&
    outcome._tag !== "Deferred" &&
    outcome._tag !== "MediaResumed"
      ? finalizeStrandedCard(cardOutTrackId(settings.robotCode, message.messageId))
      : Effect.void
  const finish = (outcome: HandleOutcome) =>
    closeStrandedCard(outcome).pipe(
      Effect.andThen(Clock.currentTimeMillis),
      Effect.flatMap((now) => metrics.record(outcome, now)),
      Effect.as(outcome),
    )
  const noteCard =
    journal._tag === "None" || frame.journalId === undefined
      ? Effect.void
      : journal.value
          .noteCard(frame)
          .pipe(
            Effect.catch((error) =>
              Effect.logWarning(
                "could not note the card in the journal; a crash now would leave it open",
              ).pipe(Effect.annotateLogs({ error: error.message })),
            ),
          )
  // What of the answer's media is left to send, once its text is out: a restart then sends those, not the answer again.
  const noteMedia = (left: ReadonlyArray<PlannedMedia>) =>
    journal._tag === "None" || frame.journalId === undefined
      ? Effect.void
      : journal.value
          .noteMedia(frame, pendingMediaOf(left))
          .pipe(
            Effect.catch((error) =>
              Effect.logWarning(
                "could not note the answer's media in the journal; a crash now would leave them unsent",
              ).pipe(Effect.annotateLogs({ error: error.message })),
            ),
          )
  /** The text is out: note the media, complete the dedupe key, then send them. */
  const completeWithMedia = (media: ReadonlyArray<PlannedMedia>, settle: Effect.Effect<void>) =>
    media.length === 0
      ? settle
      : noteMedia(media).pipe(
          Effect.andThen(settle),
          Effect.andThen(sendMedia(message, media, { progress: noteMedia })),
        )

  return yield* Effect.gen(function* () {
    const key = dedupeKey(settings.robotCode, message)
    // A journalled frame can wait for the store (it comes back after the lease); any other is handled anyway.
    const claim = yield* dedupe
      .claim(key)
      .pipe(
        Effect.catch((error) =>
          frame.journalId === undefined
            ? Effect.logError("dedupe store unavailable; handling the message anyway").pipe(
                Effect.annotateLogs({ error: error.message }),
                Effect.as("claimed" as const),
              )
            : Effect.logWarning("dedupe store unavailable; the message stays in the journal for later").pipe(
                Effect.annotateLogs({ error: error.message }),
                Effect.as("unavailable" as const),
              ),
        ),
      )
    if (claim === "unavailable") return yield* finish({ _tag: "Deferred", reason: "dedupe-unavailable" })
    // Answered before a restart but for its media: whether or not the completion was saved, only they are left.
    const pendingMedia = claim === "in-flight" ? undefined : frame.pendingMedia
    if (claim !== "claimed" && pendingMedia === undefined) {
      yield* Effect.logDebug("dropped a redelivery").pipe(Effect.annotateLogs({ state: claim }))
      return yield* finish({ _tag: "Duplicate", state: claim })
    }
    const settle = (handled: boolean) =>
      (handled ? dedupe.complete(key) : dedupe.release(key)).pipe(
        Effect.catch((error) =>
          Effect.logError("dedupe store update failed").pipe(Effect.annotateLogs({ error: error.message })),
        ),
      )

    if (pendingMedia !== undefined) {
      const { media, unsendable } = yield* replanPending(pendingMedia)
      if (claim === "claimed") yield* settle(true)
      const sent = yield* sendMedia(message, media, { unsendable, progress: noteMedia })
      yield* Effect.logInfo("sent the media of an answer whose text went out before a restart").pipe(
        Effect.annotateLogs({ sent: sent.sent, failed: sent.failed }),
      )
      return yield* finish({ _tag: "MediaResumed", sent: sent.sent, failed: sent.failed })
    }

    const decision = evaluatePolicy(message, settings)
    if (decision._tag === "Ignore") {
      const refused = deservesRefusal(message, decision) ? yield* refuseMessage(message) : false
      yield* settle(true)
      yield* Effect.logDebug("ignored by policy").pipe(
        Effect.annotateLogs({ reason: decision.reason, refused }),
      )
      return yield* finish({ _tag: "Ignored", reason: decision.reason, ...(refused ? { refused } : {}) })
    }

    const unsupported =
      message.type === "unknown"
        ? (settings.unsupportedMessageReply ?? FRIENDLY_REPLIES.unsupportedMessage)
        : undefined
    if (unsupported === "") {
      yield* settle(true)
      return yield* finish({ _tag: "Ignored", reason: "unsupported-type" })
    }
    const conversationSettings = settingsForMessage(message.conversation, settings)
    const sessionKey = sessionKeyFor(message, { perUserInGroups: settings.sessionPerUserInGroups ?? false })
    const leaseKey = conversationKey(settings.robotCode, message.conversation.id)
    const composeOptions =
      conversationSettings.systemPrompt === undefined
        ? {}
        : { systemPrompt: conversationSettings.systemPrompt }
    // replyMode card: the answer streams into a card, or comes back to go as Markdown below when no card can take it.
    cardPathTaken =
      unsupported === undefined && (conversationSettings.replyMode ?? settings.replyMode) === "card"
    const carded = cardPathTaken
      ? yield* streamReply(message, sessionKey, leaseKey, composeOptions, noteCard)
      : undefined
    if (carded?._tag === "Carded") {
      yield* completeWithMedia(carded.media, settle(true))
      return yield* finish(carded.outcome)
    }
    const composed: ComposedReply =
      carded !== undefined
        ? carded.composed
        : unsupported === undefined
          ? yield* composeReply(message, sessionKey, leaseKey, composeOptions)
          : { kind: "notice", markdown: unsupported }
    const prepared = prepareReply(composed.markdown, { ...message, maxReplyChars: settings.maxReplyChars })
    if (prepared.truncated)
      yield* Effect.logInfo("reply truncated").pipe(Effect.annotateLogs({ chars: composed.markdown.length }))
    const delivery = yield* deliverReply(message, prepared.reply).pipe(Effect.result)
    if (delivery._tag === "Failure") {
      const failure = delivery.failure
      // A part whose delivery is unknown may be in the chat: a redelivery must not answer again.
      yield* settle(failure.delivered > 0 || failure.certainty === "ambiguous")
      yield* Effect.logError("reply could not be delivered").pipe(
        Effect.annotateLogs({
          route: failure.route,
          reason: failure.reason,
          part: failure.part,
          delivered: failure.delivered,
          certainty: failure.certainty,
          ...(failure.status === undefined ? {} : { status: failure.status }),
          ...(failure.code === undefined ? {} : { code: failure.code }),
        }),
      )
      return yield* finish({
        _tag: "ReplyFailed",
        kind: composed.kind,
        delivered: failure.delivered,
        reason: failure.reason,
        failure,
      })
    }
    yield* completeWithMedia(composed.media ?? [], settle(true))
    const delivered: Delivered = delivery.success
    const { webhookParts, openApiParts, fallback, ambiguousRetries } = delivered
    yield* Effect.logInfo("replied").pipe(
      Effect.annotateLogs({
        kind: composed.kind,
        webhookParts,
        openApiParts,
        ...(fallback ? { fallback } : {}),
      }),
    )
    return yield* finish({
      _tag: "Replied",
      kind: composed.kind,
      parts: webhookParts + openApiParts,
      webhookParts,
      openApiParts,
      ...(fallback === undefined ? {} : { fallback }),
      ambiguousRetries,
    })
  }).pipe(
    Effect.annotateLogs({
      msgId: message.messageId,
      conversation: message.conversation.id,
      conversationKind: message.conversation.kind,
    }),
  )
})
