import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import type { InboundMessage } from "../domain/InboundMessage.js"
import { CARD_UPDATE_INTERVAL_MS, ChannelSettings } from "../ports/ChannelSettings.js"
import { MediaSink } from "../ports/MediaSink.js"
import { type CardFailed, type CardSpace, ReplyCard } from "../ports/ReplyCard.js"
import { cardOutTrackId } from "../rules/cardOutTrackId.js"
import { findMediaReferences } from "../rules/findMediaReferences.js"
import { hideMediaReferences } from "../rules/replaceMediaReferences.js"
import { ChannelMetrics } from "./ChannelMetrics.js"
import { type CardDraft, cardContent, streamCardUpdates, withCardRetries } from "./cardUpdates.js"
import { type ComposedReply, type ComposeOptions, composeReply } from "./composeReply.js"
import type { HandleOutcome } from "./HandleOutcome.js"
import type { PlannedMedia } from "./planMedia.js"

const CREATE_ATTEMPTS = 3
const FINALIZE_ATTEMPTS = 5
export const CARD_POINTER = "完整回答已作为消息发送 / the full answer was sent as a message"
export const CARD_INTERRUPTED = "回答被中断，请重新发送 / the answer was interrupted; please ask again"

const cardSpaceFor = (message: InboundMessage): CardSpace | undefined =>
  message.conversation.kind === "group"
    ? { kind: "group", openConversationId: message.conversation.id }
    : message.sender.staffId === undefined
      ? undefined
      : { kind: "dm", staffId: message.sender.staffId }

/** What streamReply did: answered in a card, or handed the reply back to go as Markdown. */
export type CardReply =
  | {
      readonly _tag: "Carded"
      readonly outcome: HandleOutcome
      /** To send after the finalized card. */
      readonly media: ReadonlyArray<PlannedMedia>
    }
  | { readonly _tag: "Markdown"; readonly composed: ComposedReply }

const asMarkdown = (composed: ComposedReply): CardReply => ({ _tag: "Markdown", composed })

/** Records why a card could not be used; logged as an error the first time each reason is seen. */
const reportTrouble = (failure: Pick<CardFailed, "reason" | "message" | "permission" | "code">) =>
  Effect.gen(function* () {
    const metrics = yield* ChannelMetrics
    const first = yield* metrics.cardTrouble({
      reason: failure.reason,
      ...(failure.permission === undefined ? {} : { permission: failure.permission }),
      message: failure.message,
      at: yield* Clock.currentTimeMillis,
    })
    const log = first ? Effect.logError : Effect.logDebug
    yield* log("AI card unavailable; the answer goes as Markdown").pipe(
      Effect.annotateLogs({
        reason: failure.reason,
        ...(failure.permission === undefined ? {} : { grant: failure.permission }),
        ...(failure.code === undefined ? {} : { code: failure.code }),
      }),
    )
  })

/**
 * Finalizes a card a crash left processing (its outTrackId is `cardOutTrackId(robotCode, msgId)`), as an error with a
 * one-line notice. For a replayed message that is not answered in its card; failures are logged, not raised.
 */
export const finalizeStrandedCard = (outTrackId: string) =>
  Effect.gen(function* () {
    const cards = yield* Effect.serviceOption(ReplyCard)
    if (cards._tag === "None")
      return yield* Effect.logWarning("a card left processing cannot be closed without the Open API").pipe(
        Effect.annotateLogs({ outTrackId }),
      )
    yield* withCardRetries(
      cards.value.finalize(outTrackId, { content: CARD_INTERRUPTED, error: true }),
      FINALIZE_ATTEMPTS,
    )
    yield* Effect.logInfo("closed a card an earlier run left processing").pipe(
      Effect.annotateLogs({ outTrackId }),
    )
  }).pipe(
    Effect.catch((error) =>
      Effect.logWarning("could not finalize a stranded card").pipe(
        Effect.annotateLogs({ outTrackId, reason: error.reason }),
      ),
    ),
  )

/**
 * The reply in an AI card: the card is created and delivered at once, while the agent starts; it fills in as the
 * agent streams and is finalized with the complete answer (or the apology, as an error). Whatever fails, the answer
 * reaches the user exactly once: without a card the reply is handed back to go as Markdown, and a card that cannot be
 * finalized is closed with a pointer to that Markdown answer. `beforeCard` runs before the card is created (a durable
 * journal notes it, so a restart can close a card this process dies holding).
 */
export const streamReply = Effect.fnUntraced(function* (
  message: InboundMessage,
  sessionKey: string,
  leaseKey: string,
  options: ComposeOptions = {},
  beforeCard: Effect.Effect<void> = Effect.void,
) {
  const settings = yield* ChannelSettings
  const replyCard = yield* Effect.serviceOption(ReplyCard)
  const outTrackId = cardOutTrackId(settings.robotCode, message.messageId)
  const space = cardSpaceFor(message)
  const cards = replyCard._tag === "Some" ? replyCard.value : undefined
  const updates = {
    intervalMs: settings.cardUpdateIntervalMs ?? CARD_UPDATE_INTERVAL_MS,
    maxChars: settings.maxReplyChars,
  }
  const draft: CardDraft = { text: "", done: false }
  const wake = yield* Queue.sliding<void>(1)
  // With media out, the card never shows a file's path: a reference reads as its label while it streams.
  const sendsMedia = (yield* Effect.serviceOption(MediaSink))._tag === "Some"
  let written = ""

  const cardSide =
    space === undefined || cards === undefined
      ? undefined
      : yield* Effect.forkChild(
          Effect.gen(function* () {
            yield* Effect.logInfo("opening an AI card").pipe(Effect.annotateLogs({ outTrackId }))
            yield* beforeCard
            const created = yield* Effect.result(
              withCardRetries(cards.create({ outTrackId, space }), CREATE_ATTEMPTS),
            )
            if (created._tag === "Success") yield* streamCardUpdates(cards, outTrackId, draft, wake, updates)
            return created
          }),
        )

  const composed: ComposedReply = yield* composeReply(message, sessionKey, leaseKey, {
    ...options,
    onText: (text) =>
      Effect.suspend(() => {
        written += text
        draft.text =
          sendsMedia && written.includes("](")
            ? hideMediaReferences(written, findMediaReferences(written))
            : written
        return Queue.offer(wake, undefined)
      }).pipe(Effect.asVoid),
  })
  draft.done = true
  yield* Queue.offer(wake, undefined)

  if (cardSide === undefined || cards === undefined) {
    yield* reportTrouble({
      reason: "rejected",
      message:
        cards === undefined
          ? "no ReplyCard is provided (replyMode card needs the Open API)"
          : "the DM sender has no staffId to address a card to",
    })
    return asMarkdown(composed)
  }
  const created = yield* Fiber.join(cardSide)
  if (created._tag === "Failure") {
    yield* reportTrouble(created.failure)
    // A create that timed out may have made the card after all: close it rather than leave it processing.
    if (created.failure.retryable)
      yield* cards.finalize(outTrackId, { content: CARD_POINTER, error: false }).pipe(Effect.ignore)
    return asMarkdown(composed)
  }
  const finalized = yield* Effect.result(
    withCardRetries(
      cards.finalize(outTrackId, {
        content: cardContent(composed.markdown, settings.maxReplyChars),
        error: composed.kind === "apology",
      }),
      FINALIZE_ATTEMPTS,
    ),
  )
  if (finalized._tag === "Success") {
    yield* Effect.logInfo("answered in an AI card").pipe(
      Effect.annotateLogs({ outTrackId, kind: composed.kind }),
    )
    const outcome: HandleOutcome = {
      _tag: "Replied",
      kind: composed.kind,
      parts: 1,
      webhookParts: 0,
      openApiParts: 0,
      ambiguousRetries: 0,
      card: true,
    }
    return { _tag: "Carded", outcome, media: composed.media ?? [] } satisfies CardReply
  }
  yield* reportTrouble(finalized.failure)
  yield* withCardRetries(cards.finalize(outTrackId, { content: CARD_POINTER, error: false }), 2).pipe(
    Effect.ignore,
  )
  return asMarkdown(composed)
})
