import { describe, expect, it } from "@effect/vitest"
import { makeRateLimiter } from "@openpollen/openapi"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"

describe("makeRateLimiter", () => {
  it.effect("never lets more than N calls start in any one-second window", () =>
    Effect.gen(function* () {
      const limiter = makeRateLimiter(20)
      const starts: Array<number> = []
      const fiber = yield* Effect.forkChild(
        Effect.all(
          Array.from({ length: 70 }, () =>
            limiter.acquire.pipe(
              Effect.andThen(Clock.currentTimeMillis),
              Effect.map((t) => starts.push(t)),
            ),
          ),
          { concurrency: "unbounded" },
        ),
      )
      yield* TestClock.adjust("5 seconds")
      yield* Fiber.join(fiber)
      expect(starts).toHaveLength(70)
      for (const start of starts)
        expect(starts.filter((t) => t >= start && t < start + 1_000).length).toBeLessThanOrEqual(20)
      expect(Math.max(...starts)).toBe(3_000)
    }),
  )
})
