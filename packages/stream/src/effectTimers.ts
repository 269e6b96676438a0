import { Clock, type Context, Effect, type Fiber } from "effect"

import type { Timers } from "./Supervisor.js"

export interface EffectTimers extends Timers {
  /** Timers scheduled and neither fired nor cleared yet. */
  readonly pending: () => number
}

/**
 * Timers that run as Effect fibers on the given context's Clock, so `TestClock` drives the supervisor in tests.
 */
export const effectTimers = (context: Context.Context<never>): EffectTimers => {
  const run = Effect.runForkWith(context)
  const clock = Effect.runSyncWith(context)(Clock.clockWith(Effect.succeed))
  const live = new Set<Fiber.Fiber<void>>()
  return {
    now: () => clock.currentTimeMillisUnsafe(),
    setTimeout: (callback, ms) => {
      const fiber: Fiber.Fiber<void> = run(
        Effect.sleep(ms).pipe(
          Effect.andThen(
            Effect.sync(() => {
              live.delete(fiber)
              callback()
            }),
          ),
        ),
      )
      live.add(fiber)
      return fiber
    },
    clearTimeout: (handle) => {
      if (handle === undefined) return
      const fiber = handle as Fiber.Fiber<void>
      live.delete(fiber)
      fiber.interruptUnsafe()
    },
    pending: () => live.size,
  }
}
