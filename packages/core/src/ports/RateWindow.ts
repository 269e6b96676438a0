import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export class RateWindowError extends Schema.TaggedError<RateWindowError>()("RateWindowError", {
  message: Schema.String,
}) {}

/** `Taken`: the call may start, and `finish(key, ticket)` when it ends. `Full`: try again in `retryAfterMs`. */
export type RateWindowTake =
  | { readonly _tag: "Taken"; readonly ticket: string }
  | { readonly _tag: "Full"; readonly retryAfterMs: number }

/** A finished call holds its slot this long: a second, and 10 ms for timers and clocks that round differently. */
export const RATE_WINDOW_AFTER_FINISH_MS = 1_010

export interface RateWindowLimit {
  /** Slots of the key: calls in flight, or finished less than a second ago. */
  readonly perSecond: number
  /** A ticket never finished (its holder died) frees its slot this long after it was taken. */
  readonly holdMs: number
}

/**
 * Calls per second of a key (e.g. an app's card API calls), counted wherever the store is shared: a call holds one of
 * `perSecond` slots from `take` until a second after `finish`, as the remote end counts it when it arrives, which can
 * be any time until the answer. Keys are `<what>:<clientId>`.
 */
export class RateWindow extends Context.Service<
  RateWindow,
  {
    readonly take: (key: string, limit: RateWindowLimit) => Effect.Effect<RateWindowTake, RateWindowError>
    readonly finish: (key: string, ticket: string) => Effect.Effect<void, RateWindowError>
  }
>()("@openpollen/core/RateWindow") {}
