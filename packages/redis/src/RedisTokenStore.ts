import { type StoredToken, TokenStore, TokenStoreError } from "@openpollen/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { RedisConnection } from "./RedisConnection.js"
import type { RedisUnavailable } from "./RedisUnavailable.js"

const TokenValue = Schema.fromJsonString(
  Schema.Struct({ accessToken: Schema.String, expiresAt: Schema.Number }),
)
const decodeToken = Schema.decodeUnknownResult(TokenValue)

/** An entry outlives its token by this long, then Redis drops it. */
const KEEP_AFTER_EXPIRY_MS = 86_400_000

/**
 * Access tokens in Redis, one per clientId, shared by every bot instance. Values leave `Redacted` only for the
 * SET; an unreadable value counts as absent (a warning is logged, never its contents).
 */
export const makeRedisTokenStore = Effect.gen(function* () {
  const redis = yield* RedisConnection
  const redisKey = (key: string) => `${redis.keyPrefix}token:${key}`
  const failed = (error: RedisUnavailable) => new TokenStoreError({ message: error.message })

  return TokenStore.of({
    get: (key) =>
      redis
        .run("token read", (client) => client.get(redisKey(key)))
        .pipe(
          Effect.mapError(failed),
          Effect.flatMap((value) => {
            if (value === null) return Effect.succeed(Option.none<StoredToken>())
            const decoded = decodeToken(value)
            if (Result.isFailure(decoded))
              return Effect.logWarning("stored token is unreadable; treating it as absent").pipe(
                Effect.annotateLogs({ redis: redis.where }),
                Effect.as(Option.none<StoredToken>()),
              )
            return Effect.succeed(
              Option.some<StoredToken>({
                accessToken: Redacted.make(decoded.success.accessToken),
                expiresAt: decoded.success.expiresAt,
              }),
            )
          }),
        ),
    set: (key, token) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        redis.run("token write", (client) =>
          client.set(
            redisKey(key),
            JSON.stringify({ accessToken: Redacted.value(token.accessToken), expiresAt: token.expiresAt }),
            {
              expiration: {
                type: "PX",
                value: Math.max(Math.round(token.expiresAt - now), 0) + KEEP_AFTER_EXPIRY_MS,
              },
            },
          ),
        ),
      ).pipe(Effect.mapError(failed), Effect.asVoid),
    remove: (key) =>
      redis
        .run("token removal", (client) => client.del(redisKey(key)))
        .pipe(Effect.mapError(failed), Effect.asVoid),
  })
})

export const RedisTokenStore = {
  /** Needs a RedisConnection. */
  layer: Layer.effect(TokenStore, makeRedisTokenStore),
}
