import { describe, expect, it } from "@effect/vitest"
import { ConversationLease } from "@openpollen/core"
import { RedisConnection, RedisConversationLease } from "@openpollen/redis"
import { Deferred, Effect, Exit, Fiber, Layer, Scope } from "effect"
import { buildService, connectionLayer, freshPrefix } from "./redisHarness.js"

const instance = (prefix: string, leaseMs: number, waitTimeoutMs?: number) =>
  buildService(
    ConversationLease,
    RedisConversationLease.layer({ leaseMs, ...(waitTimeoutMs === undefined ? {} : { waitTimeoutMs }) }).pipe(
      Layer.provide(connectionLayer(prefix)),
    ),
  )

describe("RedisConversationLease across instances", () => {
  it.live("an instance waits for another's turn in the conversation, held past the lease by renewal", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const [a, b] = [yield* instance(prefix, 300), yield* instance(prefix, 300)]
      const events: Array<string> = []
      const started = yield* Deferred.make<void>()
      const first = yield* a
        .withLease(
          "robot:cid1==",
          Effect.gen(function* () {
            events.push("a start")
            yield* Deferred.succeed(started, undefined)
            yield* Effect.sleep("1 second")
            events.push("a end")
          }),
        )
        .pipe(Effect.forkChild)
      yield* Deferred.await(started)
      yield* b.withLease(
        "robot:cid1==",
        Effect.sync(() => events.push("b")),
      )
      yield* Fiber.join(first)
      expect(events).toEqual(["a start", "a end", "b"])
    }),
  )

  it.live("a dead holder's lease lapses after leaseMs, and another instance goes ahead", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const doomed = yield* Scope.make()
      const a = yield* instance(prefix, 400).pipe(Scope.provide(doomed))
      const redis = yield* buildService(RedisConnection, connectionLayer(prefix))
      const started = yield* Deferred.make<void>()
      const holder = yield* a
        .withLease("robot:cid2==", Deferred.succeed(started, undefined).pipe(Effect.andThen(Effect.never)))
        .pipe(Effect.forkChild)
      yield* Deferred.await(started)
      // The process dies: its client goes away, and its lease (here handed to a dead owner) is never released.
      yield* redis.run("steal owner", (client) =>
        client.set(`${prefix}lease:conversation:robot:cid2==`, "dead-instance", {
          expiration: { type: "PX", value: 400 },
        }),
      )
      yield* Scope.close(doomed, Exit.void)
      yield* Fiber.interrupt(holder)
      const b = yield* instance(prefix, 400)
      const began = Date.now()
      yield* b.withLease("robot:cid2==", Effect.void)
      expect(Date.now() - began).toBeGreaterThanOrEqual(250)
    }),
  )

  it.live("gives up waiting after waitTimeoutMs with a ConversationLeaseError", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const redis = yield* buildService(RedisConnection, connectionLayer(prefix))
      yield* redis.run("held", (client) =>
        client.set(`${prefix}lease:conversation:robot:cid3==`, "other", {
          expiration: { type: "PX", value: 10_000 },
        }),
      )
      const lease = yield* instance(prefix, 10_000, 300)
      const error = yield* lease.withLease("robot:cid3==", Effect.void).pipe(Effect.flip)
      expect(error._tag).toBe("ConversationLeaseError")
      expect(
        yield* redis.run("get", (client) => client.get(`${prefix}lease:conversation:robot:cid3==`)),
      ).toBe("other")
    }),
  )
})
