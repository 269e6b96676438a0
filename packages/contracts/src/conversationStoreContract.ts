import { describe, expect, it } from "@effect/vitest"
import { ConversationStore } from "@openpollen/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { TestClock } from "effect/testing"

/** Every ConversationStore keeps the longest-lived route per key and never answers with an expired one. */
export const conversationStoreContract = <E>(
  name: string,
  makeLayer: () => Layer.Layer<ConversationStore, E>,
) =>
  describe(`ConversationStore contract: ${name}`, () => {
    const run = <A, E2>(effect: Effect.Effect<A, E2, ConversationStore>) =>
      effect.pipe(Effect.provide(makeLayer()))
    const unique = () => `robot:cid${Math.random().toString(36).slice(2)}==`
    const webhook = (n: number) => `https://oapi.dingtalk.com/robot/sendBySession?session=s${n}`

    it.effect("is empty for an unknown conversation", () =>
      run(
        Effect.gen(function* () {
          expect(Option.isNone(yield* (yield* ConversationStore).latest(unique()))).toBe(true)
        }),
      ),
    )

    it.effect("returns the remembered route, per key", () =>
      run(
        Effect.gen(function* () {
          const store = yield* ConversationStore
          const now = yield* Clock.currentTimeMillis
          const [a, b] = [unique(), unique()]
          yield* store.remember(a, { sessionWebhook: webhook(1), expiresAt: now + 60_000 })
          yield* store.remember(b, { sessionWebhook: webhook(2), expiresAt: now + 90_000 })
          expect(yield* store.latest(a)).toEqual(
            Option.some({ sessionWebhook: webhook(1), expiresAt: now + 60_000 }),
          )
          expect(yield* store.latest(b)).toEqual(
            Option.some({ sessionWebhook: webhook(2), expiresAt: now + 90_000 }),
          )
        }),
      ),
    )

    it.effect("keeps the route that expires last, whatever the order of arrival", () =>
      run(
        Effect.gen(function* () {
          const store = yield* ConversationStore
          const now = yield* Clock.currentTimeMillis
          const key = unique()
          yield* store.remember(key, { sessionWebhook: webhook(2), expiresAt: now + 120_000 })
          yield* store.remember(key, { sessionWebhook: webhook(1), expiresAt: now + 60_000 })
          expect(Option.map(yield* store.latest(key), (route) => route.sessionWebhook)).toEqual(
            Option.some(webhook(2)),
          )
          yield* store.remember(key, { sessionWebhook: webhook(3), expiresAt: now + 180_000 })
          expect(Option.map(yield* store.latest(key), (route) => route.sessionWebhook)).toEqual(
            Option.some(webhook(3)),
          )
        }),
      ),
    )

    it.effect("answers nothing once the route has expired", () =>
      run(
        Effect.gen(function* () {
          const store = yield* ConversationStore
          const now = yield* Clock.currentTimeMillis
          const key = unique()
          yield* store.remember(key, { sessionWebhook: webhook(1), expiresAt: now + 60_000 })
          yield* TestClock.adjust("59 seconds")
          expect(Option.isSome(yield* store.latest(key))).toBe(true)
          yield* TestClock.adjust("1 second")
          expect(Option.isNone(yield* store.latest(key))).toBe(true)
        }),
      ),
    )

    it.effect("ignores a route that has already expired", () =>
      run(
        Effect.gen(function* () {
          const store = yield* ConversationStore
          const now = yield* Clock.currentTimeMillis
          const key = unique()
          yield* store.remember(key, { sessionWebhook: webhook(1), expiresAt: now })
          expect(Option.isNone(yield* store.latest(key))).toBe(true)
        }),
      ),
    )
  })
