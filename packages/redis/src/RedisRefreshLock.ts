import { randomUUID } from "node:crypto"
import { TokenStoreError } from "@openpollen/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { acquireKey } from "./acquireKey.js"
import { compareAndDelete, evalScript } from "./luaScript.js"
import { RedisConnection } from "./RedisConnection.js"

export interface RedisRefreshLockOptions {
  /** The lock lapses after this long if its holder dies or hangs; keep it above one token fetch. Default 30 s. */
  readonly lockTtlMs?: number
  /** How long to wait for another instance's refresh before failing. Default the lock TTL plus 5 s. */
  readonly waitTimeoutMs?: number
}

/**
 * A lock across processes: `withLock(key, effect)` runs `effect` while no other instance holds `key`. Its shape
 * uses only core and effect types, so the Open API token provider can take it without importing this package.
 */
export class RedisRefreshLock extends Context.Service<
  RedisRefreshLock,
  {
    readonly withLock: <A, E, R>(
      key: string,
      effect: Effect.Effect<A, E, R>,
    ) => Effect.Effect<A, E | TokenStoreError, R>
  }
>()("@openpollen/redis/RedisRefreshLock") {
  /** Needs a RedisConnection. */
  static readonly layer = (options: RedisRefreshLockOptions = {}) =>
    Layer.effect(RedisRefreshLock, makeRedisRefreshLock(options))
}

/**
 * `SET <prefix>lock:<key> <owner> NX PX <ttl>` with a fresh owner per acquisition, polled with jittered backoff (25 → 200 ms) while
 * another instance holds it, and released by compare-and-delete so a lapsed holder cannot free its successor's lock.
 */
export const makeRedisRefreshLock = (options: RedisRefreshLockOptions = {}) =>
  Effect.gen(function* () {
    const redis = yield* RedisConnection
    const lockTtlMs = Math.max(Math.round(options.lockTtlMs ?? 30_000), 10)
    const waitTimeoutMs = Math.max(options.waitTimeoutMs ?? lockTtlMs + 5_000, 0)

    const acquire = (lockKey: string, owner: string) =>
      acquireKey(redis, {
        key: lockKey,
        owner,
        ttlMs: lockTtlMs,
        waitTimeoutMs,
        what: "refresh lock",
        fail: (message) => new TokenStoreError({ message }),
      })

    const release = (lockKey: string, owner: string) =>
      redis
        .run("refresh lock release", (client) => evalScript(client, compareAndDelete, [lockKey], [owner]))
        .pipe(
          Effect.catch((error) =>
            Effect.logWarning("could not release a refresh lock; it lapses by itself").pipe(
              Effect.annotateLogs({ error: error.message }),
            ),
          ),
        )

    return RedisRefreshLock.of({
      withLock: (key, effect) =>
        Effect.suspend(() => {
          const lockKey = `${redis.keyPrefix}lock:${key}`
          const owner = randomUUID()
          return Effect.acquireUseRelease(
            acquire(lockKey, owner),
            () => effect,
            () => release(lockKey, owner),
          )
        }),
    })
  })

/** Runs `effect` while this instance alone holds the refresh lock `key` (e.g. `token:<clientId>`). */
export const withRefreshLock = <A, E, R>(
  key: string,
  effect: Effect.Effect<A, E, R>,
): Effect.Effect<A, E | TokenStoreError, R | RedisRefreshLock> =>
  Effect.flatMap(Effect.service(RedisRefreshLock), (lock) => lock.withLock(key, effect))
