import { describe, expect, it } from "@effect/vitest"
import { DedupeStore, MemoryDedupeStore } from "@openpollen/core"
import { Effect } from "effect"
import { TestClock } from "effect/testing"

describe("MemoryDedupeStore", () => {
  it.effect("remembers a key for at least five minutes, whatever TTL is asked for", () =>
    Effect.gen(function* () {
      const store = yield* DedupeStore
      expect(yield* store.claim("k")).toBe("claimed")
      yield* store.complete("k")
      yield* TestClock.adjust("299 seconds")
      expect(yield* store.claim("k")).toBe("done")
      yield* TestClock.adjust("2 seconds")
      expect(yield* store.claim("k")).toBe("claimed")
    }).pipe(Effect.provide(MemoryDedupeStore.layer({ ttlMs: 1_000 }))),
  )

  it.effect("stays bounded, forgetting the oldest keys first", () =>
    Effect.gen(function* () {
      const store = yield* DedupeStore
      for (let index = 0; index < 1_000; index++) yield* store.claim(`k${index}`)
      expect(yield* store.claim("k999")).toBe("in-flight")
      expect(yield* store.claim("k0")).toBe("claimed")
    }).pipe(Effect.provide(MemoryDedupeStore.layer({ maxEntries: 100 }))),
  )

  it.effect("past its bound forgets the oldest tenth at once, and keeps the rest", () =>
    Effect.gen(function* () {
      const store = yield* DedupeStore
      for (let index = 0; index <= 100; index++) yield* store.claim(`k${index}`)
      for (let index = 11; index <= 100; index++) expect(yield* store.claim(`k${index}`)).toBe("in-flight")
      expect(yield* store.claim("k10")).toBe("claimed")
    }).pipe(Effect.provide(MemoryDedupeStore.layer({ maxEntries: 100 }))),
  )
})
