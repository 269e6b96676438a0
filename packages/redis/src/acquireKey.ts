import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type { RedisConnection } from "./RedisConnection.js"

export interface AcquireKeyOptions<E> {
  /** The full Redis key, prefix included. */
  readonly key: string
  /** A value unique to this holder, so only it can extend or delete the key. */
  readonly owner: string
  readonly ttlMs: number
  readonly waitTimeoutMs: number
  /** Names the key in messages, e.g. "refresh lock". */
  readonly what: string
  /** The caller's error for a Redis failure or a wait that ran out. */
  readonly fail: (message: string) => E
}

/**
 * `SET <key> <owner> NX PX <ttl>`, polled with jittered backoff (25 → 200 ms) while someone else holds the key, until
 * it is taken or `waitTimeoutMs` runs out.
 */
export const acquireKey = <E>(redis: RedisConnection["Service"], options: AcquireKeyOptions<E>) =>
  Effect.gen(function* () {
    const { key, owner, ttlMs, waitTimeoutMs, what, fail } = options
    const deadline = (yield* Clock.currentTimeMillis) + waitTimeoutMs
    let pause = 25
    while (true) {
      const reply = yield* redis
        .run(what, (client) =>
          client.set(key, owner, { condition: "NX", expiration: { type: "PX", value: ttlMs } }),
        )
        .pipe(Effect.mapError((error) => fail(error.message)))
      if (reply === "OK") return
      const now = yield* Clock.currentTimeMillis
      if (now >= deadline)
        return yield* Effect.fail(
          fail(`redis ${redis.where}: ${what} still held by another instance after ${waitTimeoutMs} ms`),
        )
      const jitter = 0.5 + (yield* Random.next) / 2
      yield* Effect.sleep(Math.min(Math.round(pause * jitter), deadline - now))
      pause = Math.min(pause * 2, 200)
    }
  })
