import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { FallbackReason } from "./DeliveryFailed.js"
import type { HandleOutcome } from "./HandleOutcome.js"

/** Why the last card could not be used, as DingTalk said it (the reason and the scope to grant, never a secret). */
export interface CardTrouble {
  readonly reason: string
  readonly permission?: string
  readonly message: string
  readonly at: number
}

export interface FallbackCount {
  readonly replies: number
  readonly parts: number
}

export interface ChannelMetricsSnapshot {
  readonly received: number
  readonly malformed: number
  readonly duplicates: number
  /** Journalled messages left for later because the DedupeStore could not be reached. */
  readonly deferred: number
  readonly ignored: Readonly<Record<string, number>>
  readonly replied: number
  readonly apologies: number
  readonly webhookParts: number
  readonly openApiParts: number
  /** Replies the Open API carried, in part or whole, because the session webhook was unusable. */
  readonly fallbacks: number
  readonly fallbacksByReason: Readonly<Partial<Record<FallbackReason, FallbackCount>>>
  /** Parts sent once more after a failure that left their delivery unknown. */
  readonly ambiguousRetries: number
  readonly replyFailures: number
  /** Answers whose media went out after a restart, their text having gone out before it. */
  readonly mediaResumed: number
  /** Answers streamed into AI cards. */
  readonly cards: number
  /** Answers that went as Markdown although replyMode is card. */
  readonly cardFallbacks: number
  readonly lastCardTrouble?: CardTrouble
  readonly lastMessageAt?: number
}

/** Counters for health, `channel list` and logs. */
export class ChannelMetrics extends Context.Service<
  ChannelMetrics,
  {
    readonly record: (outcome: HandleOutcome, at: number) => Effect.Effect<void>
    readonly snapshot: Effect.Effect<ChannelMetricsSnapshot>
    /** An answer goes as Markdown instead of a card, and why; true the first time this reason is seen (log it once). */
    readonly cardTrouble: (trouble: CardTrouble) => Effect.Effect<boolean>
  }
>()("@openpollen/core/ChannelMetrics") {
  static readonly layer = Layer.sync(ChannelMetrics, () => {
    let state: ChannelMetricsSnapshot = {
      received: 0,
      malformed: 0,
      duplicates: 0,
      deferred: 0,
      ignored: {},
      replied: 0,
      apologies: 0,
      webhookParts: 0,
      openApiParts: 0,
      fallbacks: 0,
      fallbacksByReason: {},
      ambiguousRetries: 0,
      replyFailures: 0,
      mediaResumed: 0,
      cards: 0,
      cardFallbacks: 0,
    }
    const withFallback = (reason: FallbackReason | undefined, parts: number) => {
      if (reason === undefined) return {}
      const count = state.fallbacksByReason[reason] ?? { replies: 0, parts: 0 }
      return {
        fallbacks: state.fallbacks + 1,
        fallbacksByReason: {
          ...state.fallbacksByReason,
          [reason]: { replies: count.replies + 1, parts: count.parts + parts },
        },
      }
    }
    const seenTrouble = new Set<string>()
    const apply = (outcome: HandleOutcome): Partial<ChannelMetricsSnapshot> => {
      switch (outcome._tag) {
        case "Malformed":
          return { malformed: state.malformed + 1 }
        case "Duplicate":
          return { duplicates: state.duplicates + 1 }
        case "Deferred":
          return { deferred: state.deferred + 1 }
        case "Ignored":
          return { ignored: { ...state.ignored, [outcome.reason]: (state.ignored[outcome.reason] ?? 0) + 1 } }
        case "Replied":
          return {
            replied: state.replied + 1,
            apologies: state.apologies + (outcome.kind === "apology" ? 1 : 0),
            webhookParts: state.webhookParts + outcome.webhookParts,
            openApiParts: state.openApiParts + outcome.openApiParts,
            ambiguousRetries: state.ambiguousRetries + outcome.ambiguousRetries,
            ...withFallback(outcome.fallback, outcome.openApiParts),
            cards: state.cards + (outcome.card === true ? 1 : 0),
          }
        case "MediaResumed":
          return { mediaResumed: state.mediaResumed + 1 }
        case "ReplyFailed":
          return {
            replyFailures: state.replyFailures + 1,
            ambiguousRetries: state.ambiguousRetries + outcome.failure.ambiguousRetries,
          }
      }
    }
    return ChannelMetrics.of({
      record: (outcome, at) =>
        Effect.sync(() => {
          state = { ...state, ...apply(outcome), received: state.received + 1, lastMessageAt: at }
        }),
      snapshot: Effect.sync(() => state),
      cardTrouble: (trouble) =>
        Effect.sync(() => {
          state = { ...state, lastCardTrouble: trouble, cardFallbacks: state.cardFallbacks + 1 }
          const key = `${trouble.reason}:${trouble.permission ?? ""}`
          if (seenTrouble.has(key)) return false
          seenTrouble.add(key)
          return true
        }),
    })
  })
}
