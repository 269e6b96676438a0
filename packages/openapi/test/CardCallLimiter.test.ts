import { describe, expect, it } from "@effect/vitest"
import { RateWindow, RateWindowError, type RateWindowTake } from "@openpollen/core"
import { makeCardCallLimiter } from "@openpollen/openapi"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"

/** A window that answers the scripted takes in order, then Taken, and records every call made to it. */
const scriptedWindow = (answers: Array<RateWindowTake | RateWindowError>) => {
  const log: Array<string> = []
  const window = RateWindow.of({
    take: (key, limit) =>
      Effect.suspend(() => {
        log.push(`take ${key} ${limit.perSecond}`)
        const next = answers.shift() ?? { _tag: "Taken", ticket: "t-last" }
        return next instanceof RateWindowError ? Effect.fail(next) : Effect.succeed(next)
      }),
    finish: (key, ticket) => Effect.sync(() => log.push(`finish ${key} ${ticket}`)),
  })
  return { window, log }
}

describe("CardCallLimiter with a shared RateWindow", () => {
  it.effect("waits while the app's window is full, then runs the call and finishes its ticket", () =>
    Effect.gen(function* () {
      const { window, log } = scriptedWindow([{ _tag: "Full", retryAfterMs: 400 }])
      const limiter = yield* makeCardCallLimiter(4, { window, key: "card:app", holdMs: 11_000 })
      const fiber = yield* Effect.forkChild(limiter.limit(Effect.sync(() => log.push("call"))))
      yield* TestClock.adjust("300 millis")
      expect(log).toEqual(["take card:app 4"])
      yield* TestClock.adjust("100 millis")
      yield* Fiber.join(fiber)
      expect(log).toEqual(["take card:app 4", "take card:app 4", "call", "finish card:app t-last"])
    }),
  )

  it.effect("finishes the ticket when the call fails too", () =>
    Effect.gen(function* () {
      const { window, log } = scriptedWindow([{ _tag: "Taken", ticket: "t-1" }])
      const limiter = yield* makeCardCallLimiter(4, { window, key: "card:app", holdMs: 11_000 })
      const failed = yield* limiter.limit(Effect.fail("boom")).pipe(Effect.flip)
      expect(failed).toBe("boom")
      expect(log).toEqual(["take card:app 4", "finish card:app t-1"])
    }),
  )

  it.effect("runs the call on the local limit alone when the shared store fails", () =>
    Effect.gen(function* () {
      const { window, log } = scriptedWindow([new RateWindowError({ message: "redis down" })])
      const limiter = yield* makeCardCallLimiter(4, { window, key: "card:app", holdMs: 11_000 })
      yield* limiter.limit(Effect.sync(() => log.push("call")))
      expect(log).toEqual(["take card:app 4", "call"])
    }),
  )
})
