import { describe, expect, it } from "@effect/vitest"
import { ConversationLease } from "@openpollen/core"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Layer from "effect/Layer"

/** A ConversationLease runs one holder per key at a time, keys independently, and frees a key however it ends. */
export const conversationLeaseContract = <E>(
  name: string,
  makeLayer: () => Layer.Layer<ConversationLease, E>,
) =>
  describe(`ConversationLease contract: ${name}`, () => {
    const run = <A, E2>(effect: Effect.Effect<A, E2, ConversationLease>) =>
      effect.pipe(Effect.provide(makeLayer()))
    const unique = () => `robot:cid${Math.random().toString(36).slice(2)}==`

    it.live("runs the effect and returns what it returns", () =>
      run(
        Effect.gen(function* () {
          expect(yield* (yield* ConversationLease).withLease(unique(), Effect.succeed(42))).toBe(42)
        }),
      ),
    )

    it.live("never runs two holders of one key at once", () =>
      run(
        Effect.gen(function* () {
          const lease = yield* ConversationLease
          const key = unique()
          let running = 0
          let most = 0
          const order: Array<number> = []
          yield* Effect.all(
            Array.from({ length: 5 }, (_, index) =>
              lease.withLease(
                key,
                Effect.gen(function* () {
                  running += 1
                  most = Math.max(most, running)
                  yield* Effect.sleep("20 millis")
                  order.push(index)
                  running -= 1
                }),
              ),
            ),
            { concurrency: "unbounded" },
          )
          expect(most).toBe(1)
          expect([...order].sort()).toEqual([0, 1, 2, 3, 4])
        }),
      ),
    )

    it.live("runs holders of different keys at once", () =>
      run(
        Effect.gen(function* () {
          const lease = yield* ConversationLease
          const first = yield* Deferred.make<void>()
          const second = yield* Deferred.make<void>()
          // Each waits for the other to have started: only possible if both hold their key together.
          yield* Effect.all(
            [
              lease.withLease(
                unique(),
                Deferred.succeed(first, undefined).pipe(Effect.andThen(Deferred.await(second))),
              ),
              lease.withLease(
                unique(),
                Deferred.succeed(second, undefined).pipe(Effect.andThen(Deferred.await(first))),
              ),
            ],
            { concurrency: "unbounded" },
          ).pipe(Effect.timeout("5 seconds"))
        }),
      ),
    )

    it.live("frees the key when the effect fails or is interrupted", () =>
      run(
        Effect.gen(function* () {
          const lease = yield* ConversationLease
          const key = unique()
          expect(yield* lease.withLease(key, Effect.fail("boom" as const)).pipe(Effect.flip)).toBe("boom")
          const started = yield* Deferred.make<void>()
          const holder = yield* lease
            .withLease(key, Deferred.succeed(started, undefined).pipe(Effect.andThen(Effect.never)))
            .pipe(Effect.forkChild)
          yield* Deferred.await(started)
          yield* Fiber.interrupt(holder)
          const began = Date.now()
          expect(yield* lease.withLease(key, Effect.succeed("next")).pipe(Effect.timeout("5 seconds"))).toBe(
            "next",
          )
          expect(Date.now() - began).toBeLessThan(1_000)
        }),
      ),
    )
  })
