import { ConversationStore, ConversationStoreError, type ReplyRoute } from "@openpollen/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { evalScript, luaScript } from "./luaScript.js"
import { RedisConnection } from "./RedisConnection.js"
import type { RedisUnavailable } from "./RedisUnavailable.js"

/** Atomically: replace the hash unless the stored route expires at or after ARGV[2]; the key lives ARGV[3] ms. */
const rememberScript = luaScript(`
local current = tonumber(redis.call('HGET', KEYS[1], 'expiresAt'))
if current and current >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'sessionWebhook', ARGV[1], 'expiresAt', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`)

const StoredRoute = Schema.Struct({ sessionWebhook: Schema.String, expiresAt: Schema.NumberFromString })
const decodeRoute = Schema.decodeUnknownResult(StoredRoute)

/**
 * Reply routes in Redis hashes (`<prefix>conversation:<key>`), shared by every bot instance. Redis drops a route
 * when its webhook expires; reads also check the Clock, so a route is never answered past its expiry.
 */
export const makeRedisConversationStore = Effect.gen(function* () {
  const redis = yield* RedisConnection
  const redisKey = (key: string) => `${redis.keyPrefix}conversation:${key}`
  const failed = (error: RedisUnavailable) => new ConversationStoreError({ message: error.message })

  return ConversationStore.of({
    remember: (key, route) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const livesMs = Math.round(route.expiresAt - now)
        if (livesMs <= 0) return
        yield* redis.run("conversation write", (client) =>
          evalScript(
            client,
            rememberScript,
            [redisKey(key)],
            [route.sessionWebhook, String(route.expiresAt), String(livesMs)],
          ),
        )
      }).pipe(Effect.mapError(failed)),
    latest: (key) =>
      Effect.gen(function* () {
        const stored = yield* redis.run("conversation read", (client) => client.hGetAll(redisKey(key)))
        if (Object.keys(stored).length === 0) return Option.none<ReplyRoute>()
        const decoded = decodeRoute(stored)
        if (Result.isFailure(decoded)) {
          yield* Effect.logWarning("stored reply route is unreadable; treating it as absent").pipe(
            Effect.annotateLogs({ redis: redis.where }),
          )
          return Option.none<ReplyRoute>()
        }
        const now = yield* Clock.currentTimeMillis
        return Option.some<ReplyRoute>(decoded.success).pipe(Option.filter((route) => route.expiresAt > now))
      }).pipe(Effect.mapError(failed)),
  })
})

export const RedisConversationStore = {
  /** Needs a RedisConnection. */
  layer: Layer.effect(ConversationStore, makeRedisConversationStore),
}
