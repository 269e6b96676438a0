import { describe, expect, it } from "@effect/vitest"
import { ConversationStore, MemoryConversationStore } from "@openpollen/core"
import { Effect, Option } from "effect"
import { TestClock } from "effect/testing"

const route = (n: number, expiresAt: number) => ({
  sessionWebhook: `https://oapi.dingtalk.com/robot/sendBySession?session=s${n}`,
  expiresAt,
})

describe("MemoryConversationStore", () => {
  it.effect("stays bounded, forgetting the least recently updated conversations first", () =>
    Effect.gen(function* () {
      const store = yield* ConversationStore
      for (let index = 0; index < 100; index++) yield* store.remember(`c${index}`, route(index, 60_000))
      yield* store.remember("c0", route(1_000, 120_000))
      for (let index = 100; index < 150; index++) yield* store.remember(`c${index}`, route(index, 60_000))
      expect(Option.isSome(yield* store.latest("c0"))).toBe(true)
      expect(Option.isNone(yield* store.latest("c1"))).toBe(true)
      expect(Option.isNone(yield* store.latest("c50"))).toBe(true)
      expect(Option.isSome(yield* store.latest("c51"))).toBe(true)
      expect(Option.isSome(yield* store.latest("c149"))).toBe(true)
    }).pipe(Effect.provide(MemoryConversationStore.layer({ maxEntries: 100 }))),
  )

  it.effect("never answers with a route that expired while it was kept", () =>
    Effect.gen(function* () {
      const store = yield* ConversationStore
      yield* store.remember("c", route(1, 60_000))
      yield* TestClock.adjust("61 seconds")
      expect(Option.isNone(yield* store.latest("c"))).toBe(true)
    }).pipe(Effect.provide(MemoryConversationStore.layer({ maxEntries: 100 }))),
  )
})
