import { describe, expect, it } from "@effect/vitest"
import { RateWindow, type RateWindowTake } from "@openpollen/core"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"

const ticketOf = (take: RateWindowTake) => {
  if (take._tag !== "Taken") throw new Error(`expected a slot, got ${JSON.stringify(take)}`)
  return take.ticket
}

/**
 * A RateWindow gives at most `perSecond` slots of a key at once; a slot is free again a second after its call
 * finished, or `holdMs` after it was taken when never finished; keys are apart; concurrent takes never overbook.
 */
export const rateWindowContract = <E>(name: string, makeLayer: () => Layer.Layer<RateWindow, E>) =>
  describe(`RateWindow contract: ${name}`, () => {
    const run = <A, E2>(effect: Effect.Effect<A, E2, RateWindow>) => effect.pipe(Effect.provide(makeLayer()))
    const unique = () => `card:ding${Math.random().toString(36).slice(2)}`

    it.live("gives perSecond slots, then answers Full with when to try again", () =>
      run(
        Effect.gen(function* () {
          const window = yield* RateWindow
          const key = unique()
          const limit = { perSecond: 3, holdMs: 5_000 }
          const takes = [
            yield* window.take(key, limit),
            yield* window.take(key, limit),
            yield* window.take(key, limit),
          ]
          expect(new Set(takes.map(ticketOf)).size).toBe(3)
          const full = yield* window.take(key, limit)
          expect(full._tag).toBe("Full")
          if (full._tag === "Full") {
            expect(full.retryAfterMs).toBeGreaterThan(0)
            expect(full.retryAfterMs).toBeLessThanOrEqual(5_000)
          }
        }),
      ),
    )

    it.live("frees a finished call's slot a second after it finished, not before", () =>
      run(
        Effect.gen(function* () {
          const window = yield* RateWindow
          const key = unique()
          const limit = { perSecond: 1, holdMs: 10_000 }
          const ticket = ticketOf(yield* window.take(key, limit))
          yield* window.finish(key, ticket)
          const soon = yield* window.take(key, limit)
          expect(soon._tag).toBe("Full")
          if (soon._tag === "Full") {
            expect(soon.retryAfterMs).toBeGreaterThan(800)
            expect(soon.retryAfterMs).toBeLessThanOrEqual(1_010)
          }
          yield* Effect.sleep("600 millis")
          expect((yield* window.take(key, limit))._tag).toBe("Full")
          yield* Effect.sleep("500 millis")
          expect((yield* window.take(key, limit))._tag).toBe("Taken")
        }),
      ),
    )

    it.live("frees a slot never finished after holdMs", () =>
      run(
        Effect.gen(function* () {
          const window = yield* RateWindow
          const key = unique()
          const limit = { perSecond: 1, holdMs: 150 }
          ticketOf(yield* window.take(key, limit))
          expect((yield* window.take(key, limit))._tag).toBe("Full")
          yield* Effect.sleep("250 millis")
          expect((yield* window.take(key, limit))._tag).toBe("Taken")
        }),
      ),
    )

    it.live("keeps keys apart", () =>
      run(
        Effect.gen(function* () {
          const window = yield* RateWindow
          const limit = { perSecond: 1, holdMs: 5_000 }
          const takes = yield* Effect.all(
            [unique(), unique(), unique()].map((key) => window.take(key, limit)),
          )
          expect(takes.map((take) => take._tag)).toEqual(["Taken", "Taken", "Taken"])
        }),
      ),
    )

    it.live("gives exactly perSecond of many concurrent takes", () =>
      run(
        Effect.gen(function* () {
          const window = yield* RateWindow
          const key = unique()
          const takes = yield* Effect.all(
            Array.from({ length: 20 }, () => window.take(key, { perSecond: 5, holdMs: 5_000 })),
            { concurrency: "unbounded" },
          )
          expect(takes.filter((take) => take._tag === "Taken")).toHaveLength(5)
        }),
      ),
    )
  })
