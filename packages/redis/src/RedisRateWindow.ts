import { randomUUID } from "node:crypto"
import {
  RATE_WINDOW_AFTER_FINISH_MS,
  RateWindow,
  RateWindowError,
  type RateWindowTake,
} from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { evalScript, luaScript } from "./luaScript.js"
import { RedisConnection } from "./RedisConnection.js"

// Scores are when a slot frees, on Redis's own clock (TIME), so instances whose clocks differ still agree.
const NOW =
  "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)"

/** ARGV: perSecond, holdMs, ticket. Returns -1 when the ticket took a slot, else the ms until the first one frees. */
const takeScript = luaScript(`
${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + ${RATE_WINDOW_AFTER_FINISH_MS})
  return -1
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(first[2]) - now)
`)

/** ARGV: ticket. The slot frees a second from now (XX: a ticket already freed is not taken again). */
const finishScript = luaScript(`
${NOW}
return redis.call('ZADD', KEYS[1], 'XX', now + ${RATE_WINDOW_AFTER_FINISH_MS}, ARGV[1])
`)

/**
 * Slots shared by every instance on one Redis: a sorted set `<prefix>rate:<key>` of tickets scored by when each
 * frees; taking prunes, counts and adds in one script.
 */
export const makeRedisRateWindow = Effect.gen(function* () {
  const redis = yield* RedisConnection
  const keyOf = (key: string) => `${redis.keyPrefix}rate:${key}`
  const failed = (error: { readonly message: string }) => new RateWindowError({ message: error.message })
  return RateWindow.of({
    take: (key, { perSecond, holdMs }) =>
      Effect.flatMap(
        Effect.sync(() => randomUUID()),
        (ticket) =>
          redis
            .run("rate window take", (client) =>
              evalScript(
                client,
                takeScript,
                [keyOf(key)],
                [String(Math.max(1, Math.floor(perSecond))), String(Math.max(1, Math.round(holdMs))), ticket],
              ),
            )
            .pipe(
              Effect.map(
                (reply): RateWindowTake =>
                  Number(reply) < 0
                    ? { _tag: "Taken", ticket }
                    : { _tag: "Full", retryAfterMs: Number(reply) },
              ),
              Effect.mapError(failed),
            ),
      ),
    finish: (key, ticket) =>
      redis
        .run("rate window finish", (client) => evalScript(client, finishScript, [keyOf(key)], [ticket]))
        .pipe(Effect.asVoid, Effect.mapError(failed)),
  })
})

export const RedisRateWindow = {
  /** Needs a RedisConnection. */
  layer: Layer.effect(RateWindow, makeRedisRateWindow),
}
