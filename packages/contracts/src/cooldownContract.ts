import { describe, expect, it } from "@effect/vitest"
import { Cooldown } from "@openpollen/core"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"

/** A Cooldown admits a key once per window, keys independently, and again once the window has passed. */
export const cooldownContract = <E>(name: string, makeLayer: () => Layer.Layer<Cooldown, E>) =>
  describe(`Cooldown contract: ${name}`, () => {
    const run = <A, E2>(effect: Effect.Effect<A, E2, Cooldown>) => effect.pipe(Effect.provide(makeLayer()))
    const unique = () => `robot:cid${Math.random().toString(36).slice(2)}==:$:LWCP_v1:$user`

    it.live("admits a key once within its window", () =>
      run(
        Effect.gen(function* () {
          const cooldown = yield* Cooldown
          const key = unique()
          expect(yield* cooldown.take(key, 60_000)).toBe(true)
          expect(yield* cooldown.take(key, 60_000)).toBe(false)
          expect(yield* cooldown.take(key, 60_000)).toBe(false)
        }),
      ),
    )

    it.live("keeps keys apart", () =>
      run(
        Effect.gen(function* () {
          const cooldown = yield* Cooldown
          const results = yield* Effect.all(
            [unique(), unique(), unique()].map((key) => cooldown.take(key, 60_000)),
          )
          expect(results).toEqual([true, true, true])
        }),
      ),
    )

    it.live("admits the key again once the window has passed", () =>
      run(
        Effect.gen(function* () {
          const cooldown = yield* Cooldown
          const key = unique()
          expect(yield* cooldown.take(key, 50)).toBe(true)
          yield* Effect.sleep("120 millis")
          expect(yield* cooldown.take(key, 50)).toBe(true)
          expect(yield* cooldown.take(key, 50)).toBe(false)
        }),
      ),
    )

    it.live("admits only one of many concurrent takes of a key", () =>
      run(
        Effect.gen(function* () {
          const cooldown = yield* Cooldown
          const key = unique()
          const results = yield* Effect.all(
            Array.from({ length: 10 }, () => cooldown.take(key, 60_000)),
            { concurrency: "unbounded" },
          )
          expect(results.filter((admitted) => admitted)).toHaveLength(1)
        }),
      ),
    )
  })
