import { describe, expect, it } from "@effect/vitest"
import { DedupeStore } from "@openpollen/core"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"

/** First claim wins; a claim in flight or done is refused; a released claim can be taken again. */
export const dedupeStoreContract = <E>(name: string, makeLayer: () => Layer.Layer<DedupeStore, E>) =>
  describe(`DedupeStore contract: ${name}`, () => {
    const run = <A, E2>(effect: Effect.Effect<A, E2, DedupeStore>) => effect.pipe(Effect.provide(makeLayer()))
    const unique = () => `robot:${Math.random().toString(36).slice(2)}`

    it.effect("grants the first claim and refuses one in flight", () =>
      run(
        Effect.gen(function* () {
          const store = yield* DedupeStore
          const key = unique()
          expect(yield* store.claim(key)).toBe("claimed")
          expect(yield* store.claim(key)).toBe("in-flight")
        }),
      ),
    )

    it.effect("refuses a completed key", () =>
      run(
        Effect.gen(function* () {
          const store = yield* DedupeStore
          const key = unique()
          yield* store.claim(key)
          yield* store.complete(key)
          expect(yield* store.claim(key)).toBe("done")
        }),
      ),
    )

    it.effect("grants a released key again", () =>
      run(
        Effect.gen(function* () {
          const store = yield* DedupeStore
          const key = unique()
          yield* store.claim(key)
          yield* store.release(key)
          expect(yield* store.claim(key)).toBe("claimed")
        }),
      ),
    )

    it.effect("grants exactly one of many concurrent claims", () =>
      run(
        Effect.gen(function* () {
          const store = yield* DedupeStore
          const key = unique()
          const results = yield* Effect.all(
            Array.from({ length: 20 }, () => store.claim(key)),
            { concurrency: "unbounded" },
          )
          expect(results.filter((result) => result === "claimed")).toHaveLength(1)
        }),
      ),
    )

    it.effect("keeps keys of different robots apart", () =>
      run(
        Effect.gen(function* () {
          const store = yield* DedupeStore
          const msg = Math.random().toString(36).slice(2)
          expect(yield* store.claim(`robot-a:${msg}`)).toBe("claimed")
          expect(yield* store.claim(`robot-b:${msg}`)).toBe("claimed")
        }),
      ),
    )
  })
