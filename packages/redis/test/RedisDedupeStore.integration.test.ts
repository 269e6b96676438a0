import { describe, expect, it } from "@effect/vitest"
import { DedupeStore } from "@openpollen/core"
import { RedisConnection, RedisDedupeStore, type RedisDedupeStoreOptions } from "@openpollen/redis"
import { Effect, Exit, Layer, Scope } from "effect"
import { buildService, connectionLayer, freshPrefix } from "./redisHarness.js"

/** One bot instance's DedupeStore, on a Redis client of its own. */
const instance = (prefix: string, options: RedisDedupeStoreOptions = {}) =>
  buildService(DedupeStore, RedisDedupeStore.layer(options).pipe(Layer.provide(connectionLayer(prefix))))

const rawClient = (prefix: string) => buildService(RedisConnection, connectionLayer(prefix))

describe("RedisDedupeStore across instances", () => {
  it.live("two instances racing on one key: exactly one claims it", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const [a, b] = [yield* instance(prefix), yield* instance(prefix)]
      for (let round = 0; round < 20; round++) {
        const key = `robot:race-${round}`
        const results = yield* Effect.all(
          Array.from({ length: 10 }, (_, index) => (index % 2 === 0 ? a : b).claim(key)),
          { concurrency: "unbounded" },
        )
        expect(results.filter((result) => result === "claimed")).toHaveLength(1)
        expect(results.filter((result) => result === "in-flight")).toHaveLength(9)
      }
    }),
  )

  it.live("a redelivery to another instance is dropped while in flight and after completion", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const [a, b] = [yield* instance(prefix, { doneTtlMs: 1_000 }), yield* instance(prefix)]
      expect(yield* a.claim("robot:msg")).toBe("claimed")
      expect(yield* b.claim("robot:msg")).toBe("in-flight")
      yield* a.complete("robot:msg")
      expect(yield* b.claim("robot:msg")).toBe("done")
      const redis = yield* rawClient(prefix)
      const ttl = yield* redis.run("pttl", (client) => client.pTTL(`${prefix}dedupe:robot:msg`))
      expect(ttl).toBeGreaterThan(299_000)
    }),
  )

  it.live("an instance that dies mid-flight lets its claim lapse, and another instance takes the work", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const doomed = yield* Scope.make()
      const a = yield* instance(prefix, { inFlightTtlMs: 300 }).pipe(Scope.provide(doomed))
      const b = yield* instance(prefix)
      expect(yield* a.claim("robot:crash")).toBe("claimed")
      // The instance dies: no release, no more renewals, its connection gone.
      yield* Scope.close(doomed, Exit.void)
      expect(yield* b.claim("robot:crash")).toBe("in-flight")
      yield* Effect.sleep("450 millis")
      expect(yield* b.claim("robot:crash")).toBe("claimed")
    }),
  )

  it.live("a live instance keeps its claim past the lock TTL by renewing it", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const a = yield* instance(prefix, { inFlightTtlMs: 200 })
      const b = yield* instance(prefix)
      expect(yield* a.claim("robot:slow")).toBe("claimed")
      yield* Effect.sleep("800 millis")
      expect(yield* b.claim("robot:slow")).toBe("in-flight")
      yield* a.complete("robot:slow")
      expect(yield* b.claim("robot:slow")).toBe("done")
    }),
  )

  it.live("a holder whose claim lapsed cannot release its successor's claim", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const a = yield* instance(prefix, { inFlightTtlMs: 200, maxInFlightMs: 0 })
      const b = yield* instance(prefix)
      expect(yield* a.claim("robot:late")).toBe("claimed")
      yield* Effect.sleep("350 millis")
      expect(yield* b.claim("robot:late")).toBe("claimed")
      yield* a.release("robot:late")
      expect(yield* a.claim("robot:late")).toBe("in-flight")
    }),
  )

  it.live("a released claim can be taken by another instance at once", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const [a, b] = [yield* instance(prefix), yield* instance(prefix)]
      expect(yield* a.claim("robot:failed")).toBe("claimed")
      yield* a.release("robot:failed")
      expect(yield* b.claim("robot:failed")).toBe("claimed")
    }),
  )
})
