import * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"

/** Retries after a transient failure: at most this many, waiting `baseMs`, then twice that, and so on, jittered. */
export const TRANSIENT_RETRIES = 4

export const transientBackoff = (baseMs: number) =>
  Schedule.exponential(Duration.millis(baseMs)).pipe(Schedule.jittered)
