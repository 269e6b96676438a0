import type { RateWindow } from "@openpollen/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"

export interface SharedCardWindow {
  readonly window: RateWindow["Service"]
  /** The app's key, e.g. `card:<clientId>`. */
  readonly key: string
  /** A slot whose holder died frees after this long: more than a call can take. */
  readonly holdMs: number
}

/**
 * Waits for a slot of the shared window; undefined (the call goes on the local limit alone) when the store fails,
 * logged as a warning once per outage.
 */
const takeShared = (shared: SharedCardWindow, perSecond: number, outage: { down: boolean }) =>
  Effect.gen(function* () {
    const limit = { perSecond, holdMs: shared.holdMs }
    while (true) {
      const taken = yield* shared.window.take(shared.key, limit)
      outage.down = false
      if (taken._tag === "Taken") return taken.ticket
      yield* Effect.sleep(Math.min(taken.retryAfterMs, 1_000))
    }
  }).pipe(
    Effect.catch((error) => {
      const log = outage.down ? Effect.logDebug : Effect.logWarning
      outage.down = true
      return log("the shared card limit is unavailable; this instance keeps to card.qps alone").pipe(
        Effect.annotateLogs({ error: error.message }),
        Effect.as(undefined),
      )
    }),
  )

/** Without a QpsLimit answer for this long, one slot taken away after one comes back. */
const RECOVERY_MS = 5_000

/**
 * The app's card calls, all cards together, at most `perSecond` in any one-second window as DingTalk counts them.
 * DingTalk counts a call when it arrives, which can be any time until its answer, so a call's slot is free again one
 * second after the call *finished*. A QpsLimit answer means the real limit is lower (other instances, a lower tier):
 * no call starts until its back-off has passed (`holdOff`), and half the slots are withdrawn, coming back one by one
 * while DingTalk stays quiet. With a `shared` RateWindow (other instances of the app use it too), a call also takes a
 * slot of the app's key there, so all instances together stay under `perSecond`.
 */
export const makeCardCallLimiter = (perSecond: number, shared?: SharedCardWindow) =>
  Effect.gen(function* () {
    const size = Math.max(1, Math.floor(perSecond))
    const slots = yield* Queue.bounded<number>(size)
    for (let index = 0; index < size; index += 1) yield* Queue.offer(slots, 0)
    let active = size
    let withdraw = 0
    let resumeAt = 0
    let throttledAt = Number.NEGATIVE_INFINITY
    const take = Effect.gen(function* () {
      const freeAt = yield* Queue.take(slots)
      const now = yield* Clock.currentTimeMillis
      const startAt = Math.max(freeAt, resumeAt)
      if (startAt > now) yield* Effect.sleep(startAt - now)
    })
    // 10 ms more than a second: timers and clocks of the two ends round differently.
    const give = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      if (withdraw > 0) {
        withdraw -= 1
        active -= 1
        return
      }
      yield* Queue.offer(slots, now + 1_010)
      if (active < size && now - throttledAt > RECOVERY_MS) {
        active += 1
        throttledAt = now
        yield* Queue.offer(slots, now + 1_010)
      }
    })
    const outage = { down: false }
    const inSharedSlot = <A, E, R>(call: Effect.Effect<A, E, R>) =>
      shared === undefined
        ? call
        : Effect.acquireUseRelease(
            takeShared(shared, perSecond, outage),
            () => call,
            (ticket) =>
              ticket === undefined
                ? Effect.void
                : shared.window.finish(shared.key, ticket).pipe(Effect.ignore),
          )
    return {
      /** Runs `call` in a slot; waits (in arrival order) while none is free. */
      limit: <A, E, R>(call: Effect.Effect<A, E, R>) =>
        Effect.acquireUseRelease(
          take,
          () => inSharedSlot(call),
          () => give,
        ),
      /** After a QpsLimit answer: nothing starts for `ms`, and the app runs on half its slots for a while. */
      holdOff: (ms: number) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          resumeAt = Math.max(resumeAt, now + ms)
          throttledAt = now
          withdraw = Math.max(withdraw, active - Math.max(1, Math.floor(active / 2)))
        }),
    }
  })

export type CardCallLimiter = Effect.Success<ReturnType<typeof makeCardCallLimiter>>
