import { AgentMemory, AgentMemoryError, type AgentTurn, boundedTurn } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { evalScript, luaScript } from "./luaScript.js"
import { RedisConnection } from "./RedisConnection.js"
import type { RedisUnavailable } from "./RedisUnavailable.js"

export interface RedisAgentMemoryOptions {
  /** A session nobody wrote to for this long is dropped by Redis. Default 7 days. */
  readonly idleTtlMs?: number
}

/** Atomically: append ARGV[3..] to the list, keep its newest ARGV[1] items, and let it live ARGV[2] ms more. */
const appendScript = luaScript(`
for i = 3, #ARGV do redis.call('RPUSH', KEYS[1], ARGV[i]) end
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`)

const StoredTurn = Schema.Struct({ role: Schema.Literals(["user", "assistant"]), text: Schema.String })
const decodeTurn = Schema.decodeUnknownOption(Schema.fromJsonString(StoredTurn))

/**
 * Conversation history in one Redis list per session (`<prefix>agent-memory:<sessionKey>`, JSON turns, oldest
 * first), shared by every bot instance: RPUSH, LTRIM to the newest turns and PEXPIRE in one script.
 */
export const makeRedisAgentMemory = (options: RedisAgentMemoryOptions = {}) =>
  Effect.gen(function* () {
    const redis = yield* RedisConnection
    const idleTtlMs = Math.max(Math.round(options.idleTtlMs ?? 7 * 86_400_000), 1_000)
    const redisKey = (sessionKey: string) => `${redis.keyPrefix}agent-memory:${sessionKey}`
    const failed = (error: RedisUnavailable) => new AgentMemoryError({ message: error.message })

    return AgentMemory.of({
      load: (sessionKey) =>
        redis
          .run("agent memory read", (client) => client.lRange(redisKey(sessionKey), 0, -1))
          .pipe(
            Effect.mapError(failed),
            Effect.flatMap((items) => {
              const turns = items.flatMap((item) => Option.toArray(decodeTurn(item)))
              return turns.length === items.length
                ? Effect.succeed<ReadonlyArray<AgentTurn>>(turns)
                : Effect.logWarning("skipped unreadable turns of a stored conversation").pipe(
                    Effect.annotateLogs({ redis: redis.where, skipped: items.length - turns.length }),
                    Effect.as<ReadonlyArray<AgentTurn>>(turns),
                  )
            }),
          ),
      append: (sessionKey, turns, maxTurns) => {
        const kept = Math.max(Math.floor(maxTurns), 0)
        if (kept === 0)
          return redis
            .run("agent memory reset", (client) => client.del(redisKey(sessionKey)))
            .pipe(Effect.mapError(failed), Effect.asVoid)
        if (turns.length === 0) return Effect.void
        const items = turns.slice(-kept).map((turn) => JSON.stringify(boundedTurn(turn)))
        return redis
          .run("agent memory write", (client) =>
            evalScript(
              client,
              appendScript,
              [redisKey(sessionKey)],
              [String(kept), String(idleTtlMs), ...items],
            ),
          )
          .pipe(Effect.mapError(failed), Effect.asVoid)
      },
      reset: (sessionKey) =>
        redis
          .run("agent memory reset", (client) => client.del(redisKey(sessionKey)))
          .pipe(Effect.mapError(failed), Effect.asVoid),
    })
  })

export const RedisAgentMemory = {
  /** Needs a RedisConnection. */
  layer: (options: RedisAgentMemoryOptions = {}) => Layer.effect(AgentMemory, makeRedisAgentMemory(options)),
}
