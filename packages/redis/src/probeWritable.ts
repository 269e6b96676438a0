import * as Effect from "effect/Effect"
import { RedisConnection } from "./RedisConnection.js"

/**
 * Whether the stores can record right now: a short-lived write, so a Redis that answers PING but refuses writes
 * (out of memory, a read-only replica) is reported too.
 */
export const probeWritable = Effect.gen(function* () {
  const redis = yield* RedisConnection
  yield* redis.run("health probe", (client) =>
    client.set(`${redis.keyPrefix}health`, String(Date.now()), { expiration: { type: "PX", value: 10_000 } }),
  )
})
