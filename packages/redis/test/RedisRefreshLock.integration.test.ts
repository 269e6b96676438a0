import { describe, expect, it } from "@effect/vitest"
import { TokenStore, TokenStoreError } from "@openpollen/core"
import {
  RedisConnection,
  RedisRefreshLock,
  type RedisRefreshLockOptions,
  RedisTokenStore,
  withRefreshLock,
} from "@openpollen/redis"
import { Clock, Context, Effect, Layer, Option, Redacted } from "effect"
import { buildService, connectionLayer, freshPrefix, redisPassword } from "./redisHarness.js"

/** One bot instance: a TokenStore and a refresh lock on a Redis client of its own. */
const instance = (prefix: string, options: RedisRefreshLockOptions = {}) =>
  Effect.map(
    Layer.build(
      Layer.mergeAll(RedisTokenStore.layer, RedisRefreshLock.layer(options)).pipe(
        Layer.provide(connectionLayer(prefix)),
      ),
    ),
    (context) => ({ tokens: Context.get(context, TokenStore), lock: Context.get(context, RedisRefreshLock) }),
  )

const rawClient = (prefix: string) => buildService(RedisConnection, connectionLayer(prefix))

describe("RedisRefreshLock", () => {
  it.live("admits one of N concurrent refreshers on separate clients; the others reuse its token", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const instances = yield* Effect.all(Array.from({ length: 6 }, () => instance(prefix)))
      let fetches = 0
      const tokenFor = (index: number, { tokens, lock }: (typeof instances)[number]) =>
        lock.withLock(
          "token:app",
          Effect.gen(function* () {
            const now = yield* Clock.currentTimeMillis
            const cached = yield* tokens.get("app")
            if (Option.isSome(cached) && cached.value.expiresAt - 300_000 > now)
              return Redacted.value(cached.value.accessToken)
            fetches += 1
            yield* Effect.sleep("150 millis")
            yield* tokens.set("app", {
              accessToken: Redacted.make(`token-${index}`),
              expiresAt: now + 7_200_000,
            })
            return `token-${index}`
          }),
        )
      const results = yield* Effect.all(
        instances.map((each, index) => tokenFor(index, each)),
        { concurrency: "unbounded" },
      )
      expect(fetches).toBe(1)
      expect(new Set(results).size).toBe(1)
    }),
  )

  it.live("runs nothing concurrently under one key", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const instances = yield* Effect.all(Array.from({ length: 4 }, () => instance(prefix)))
      let inside = 0
      let most = 0
      yield* Effect.all(
        instances.flatMap(({ lock }) =>
          [1, 2].map(() =>
            withRefreshLock(
              "token:busy",
              Effect.gen(function* () {
                inside += 1
                most = Math.max(most, inside)
                yield* Effect.sleep("20 millis")
                inside -= 1
              }),
            ).pipe(Effect.provideService(RedisRefreshLock, lock)),
          ),
        ),
        { concurrency: "unbounded" },
      )
      expect(most).toBe(1)
    }),
  )

  it.live("takes over a lock whose holder died once it lapses", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const redis = yield* rawClient(prefix)
      yield* redis.run("plant", (client) =>
        client.set(`${prefix}lock:token:app`, "a-dead-instance", { expiration: { type: "PX", value: 300 } }),
      )
      const { lock } = yield* instance(prefix)
      const started = yield* Clock.currentTimeMillis
      yield* lock.withLock("token:app", Effect.void)
      expect((yield* Clock.currentTimeMillis) - started).toBeGreaterThanOrEqual(250)
    }),
  )

  it.live(
    "gives up after the wait timeout with a TokenStoreError that names the server, not its password",
    () =>
      Effect.gen(function* () {
        const prefix = freshPrefix()
        const redis = yield* rawClient(prefix)
        yield* redis.run("plant", (client) =>
          client.set(`${prefix}lock:token:app`, "someone-else", {
            expiration: { type: "PX", value: 10_000 },
          }),
        )
        const { lock } = yield* instance(prefix, { waitTimeoutMs: 200 })
        const error = yield* Effect.flip(lock.withLock("token:app", Effect.succeed("never")))
        expect(error).toBeInstanceOf(TokenStoreError)
        expect(error.message).toContain(redis.where)
        expect(error.message).not.toContain(redisPassword())
      }),
  )

  it.live("is released when the effect fails or is interrupted", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const [a, b] = [yield* instance(prefix), yield* instance(prefix, { waitTimeoutMs: 0 })]
      expect(yield* Effect.flip(a.lock.withLock("token:app", Effect.fail("fetch failed" as const)))).toBe(
        "fetch failed",
      )
      expect(yield* b.lock.withLock("token:app", Effect.succeed("free"))).toBe("free")
      yield* a.lock.withLock("token:app", Effect.never).pipe(Effect.timeoutOption("100 millis"))
      expect(yield* b.lock.withLock("token:app", Effect.succeed("free again"))).toBe("free again")
    }),
  )
})
