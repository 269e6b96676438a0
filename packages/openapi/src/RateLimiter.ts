import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

/**
 * Keeps an app under `perSecond` calls in any one-second window: each call reserves the slot one second after the
 * call `perSecond` places before it. Uses Effect's Clock, so TestClock drives it.
 */
export const makeRateLimiter = (perSecond: number) => {
  const size = Math.max(1, Math.floor(perSecond))
  const reserved: Array<number> = Array.from({ length: size }, () => Number.NEGATIVE_INFINITY)
  let oldest = 0
  return {
    acquire: Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const slot = Math.max(now, (reserved[oldest] ?? Number.NEGATIVE_INFINITY) + 1000)
      reserved[oldest] = slot
      oldest = (oldest + 1) % size
      return slot > now ? Effect.sleep(slot - now) : Effect.void
    }),
  }
}

export type RateLimiter = ReturnType<typeof makeRateLimiter>
