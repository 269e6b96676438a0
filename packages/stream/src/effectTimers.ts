import { Clock, type Context, Effect, type Fiber } from "effect"

import type { Timers } from "./Supervisor.js"

/**
 * Timers that run as Effect fibers on the given context's Clock, so `TestClock` drives the supervisor in tests and
 * the scope that owns the fibers interrupts whatever is still pending.
 */
export const effectTimers = (context: Context.Context<never>): Timers => {
  const run = Effect.runForkWith(context)
  const clock = Effect.runSyncWith(context)(Clock.clockWith(Effect.succeed))
  return {
    now: () => clock.currentTimeMillisUnsafe(),
    setTimeout: (callback, ms) => run(Effect.sleep(ms).pipe(Effect.andThen(Effect.sync(callback)))),
    clearTimeout: (handle) => {
      if (handle !== undefined) (handle as Fiber.Fiber<void>).interruptUnsafe()
    },
  }
}
