import { Clock, Effect, Queue } from "effect"

/**
 * The app's card calls, all cards together, at most `perSecond` in any one-second window as DingTalk counts them.
 * DingTalk counts a call when it arrives, which can be any time until its answer, so a call's slot is free again one
 * second after the call *finished*. No call starts until a QpsLimit answer's back-off has passed (`holdOff`), since
 * DingTalk limits the whole app, not one card.
 */
export const makeCardCallLimiter = (perSecond: number) =>
  Effect.gen(function* () {
    const size = Math.max(1, Math.floor(perSecond))
    const slots = yield* Queue.bounded<number>(size)
    for (let index = 0; index < size; index += 1) yield* Queue.offer(slots, 0)
    let resumeAt = 0
    const take = Effect.gen(function* () {
      const freeAt = yield* Queue.take(slots)
      const now = yield* Clock.currentTimeMillis
      const startAt = Math.max(freeAt, resumeAt)
      if (startAt > now) yield* Effect.sleep(startAt - now)
    })
    // 10 ms more than a second: timers and clocks of the two ends round differently.
    const give = Effect.flatMap(Clock.currentTimeMillis, (now) => Queue.offer(slots, now + 1_010))
    return {
      /** Runs `call` in a slot; waits (in arrival order) while none is free. */
      limit: <A, E, R>(call: Effect.Effect<A, E, R>) =>
        Effect.acquireUseRelease(
          take,
          () => call,
          () => give,
        ),
      holdOff: (ms: number) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          resumeAt = Math.max(resumeAt, now + ms)
        }),
    }
  })

export type CardCallLimiter = Effect.Success<ReturnType<typeof makeCardCallLimiter>>
