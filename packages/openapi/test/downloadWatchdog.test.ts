import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { downloadWatchdog } from "../src/downloadWatchdog.js"

const pace = { totalTimeoutMs: 120_000, minBytesPerSecond: 16 * 1024, rateWindowMs: 10_000 }

describe("downloadWatchdog", () => {
  it.effect("aborts a body that drips a byte every few seconds after one rate window", () =>
    Effect.gen(function* () {
      let received = 0
      const watchdog = yield* Effect.forkChild(downloadWatchdog(pace, () => received))
      for (let second = 0; second < 9; second += 3) {
        received += 1
        yield* TestClock.adjust(3_000)
      }
      expect(watchdog.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust(1_000)
      const exit = yield* Fiber.await(watchdog)
      expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toMatch(/slower than 16384 bytes\/s/)
    }),
  )

  it.effect("lets a steady body run until the total deadline, then aborts it", () =>
    Effect.gen(function* () {
      let received = 0
      const watchdog = yield* Effect.forkChild(downloadWatchdog(pace, () => received))
      for (let second = 0; second < 119; second++) {
        received += 20 * 1024
        yield* TestClock.adjust(1_000)
      }
      expect(watchdog.pollUnsafe()).toBeUndefined()
      received += 20 * 1024
      yield* TestClock.adjust(1_000)
      const exit = yield* Fiber.await(watchdog)
      expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toMatch(/not finished within 120000 ms/)
    }),
  )
})
