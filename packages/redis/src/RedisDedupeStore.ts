import { randomUUID } from "node:crypto"
import { type ClaimResult, DedupeStore, DedupeStoreError } from "@openpollen/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as FiberMap from "effect/FiberMap"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { compareAndDelete, compareAndExtend, evalScript, luaScript } from "./luaScript.js"
import { RedisConnection } from "./RedisConnection.js"
import type { RedisUnavailable } from "./RedisUnavailable.js"

export interface RedisDedupeStoreOptions {
  /** How long a claim outlives an instance that died holding it. Renewed while the instance lives. Default 30 s. */
  readonly inFlightTtlMs?: number
  /** How long a completed key is remembered; never under 5 min. Default 24 h. */
  readonly doneTtlMs?: number
  /** A claim nobody completes or releases stops being renewed after this long. Default 30 min. */
  readonly maxInFlightMs?: number
}

const MIN_DONE_TTL_MS = 300_000

/** Atomically: answer `done` / `in-flight` for an existing key, else take the claim with a short TTL. */
const claimScript = luaScript(`
local current = redis.call('GET', KEYS[1])
if current == 'done' then return 'done' end
if current then return 'in-flight' end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 'claimed'
`)

const ClaimReply = Schema.Literals(["claimed", "in-flight", "done"])
const isClaimReply = Schema.is(ClaimReply)

/**
 * A DedupeStore shared by every bot instance on one Redis. A claim is `in-flight:<instance>` with a short TTL that
 * its instance keeps extending, so a redelivery reaching another instance is dropped while the first works and,
 * once completed, as `done` for the done TTL; if the instance dies the claim lapses and a redelivery is handled.
 */
export const makeRedisDedupeStore = (options: RedisDedupeStoreOptions = {}) =>
  Effect.gen(function* () {
    const redis = yield* RedisConnection
    const inFlightTtlMs = Math.max(Math.round(options.inFlightTtlMs ?? 30_000), 30)
    const doneTtlMs = Math.max(Math.round(options.doneTtlMs ?? 86_400_000), MIN_DONE_TTL_MS)
    const maxInFlightMs = options.maxInFlightMs ?? 1_800_000
    const renewEveryMs = Math.max(Math.floor(inFlightTtlMs / 3), 10)
    const marker = `in-flight:${randomUUID()}`
    const renewals = yield* FiberMap.make<string, void>()
    const redisKey = (key: string) => `${redis.keyPrefix}dedupe:${key}`
    const failed = (error: RedisUnavailable) => new DedupeStoreError({ message: error.message })

    const keepClaim = (key: string) =>
      Effect.gen(function* () {
        const since = yield* Clock.currentTimeMillis
        while (true) {
          yield* Effect.sleep(renewEveryMs)
          if ((yield* Clock.currentTimeMillis) - since >= maxInFlightMs) return
          const held = yield* redis
            .run("dedupe claim renewal", (client) =>
              evalScript(client, compareAndExtend, [redisKey(key)], [marker, String(inFlightTtlMs)]),
            )
            .pipe(
              Effect.map((reply) => reply === 1),
              Effect.catch((error) =>
                Effect.logDebug("could not renew a dedupe claim; trying again").pipe(
                  Effect.annotateLogs({ error: error.message }),
                  Effect.as(true),
                ),
              ),
            )
          if (!held) return
        }
      })

    return DedupeStore.of({
      claim: (key) =>
        redis
          .run("dedupe claim", (client) =>
            evalScript(client, claimScript, [redisKey(key)], [marker, String(inFlightTtlMs)]),
          )
          .pipe(
            Effect.mapError(failed),
            Effect.flatMap((reply) =>
              isClaimReply(reply)
                ? Effect.succeed<ClaimResult>(reply)
                : Effect.die(new Error("the dedupe claim script answered an unknown state")),
            ),
            Effect.tap((result) =>
              result === "claimed" ? FiberMap.run(renewals, key, keepClaim(key)) : Effect.void,
            ),
          ),
      complete: (key) =>
        FiberMap.remove(renewals, key).pipe(
          Effect.andThen(
            redis.run("dedupe complete", (client) =>
              client.set(redisKey(key), "done", { expiration: { type: "PX", value: doneTtlMs } }),
            ),
          ),
          Effect.mapError(failed),
          Effect.asVoid,
        ),
      release: (key) =>
        FiberMap.remove(renewals, key).pipe(
          Effect.andThen(
            redis.run("dedupe release", (client) =>
              evalScript(client, compareAndDelete, [redisKey(key)], [marker]),
            ),
          ),
          Effect.mapError(failed),
          Effect.asVoid,
        ),
    })
  })

export const RedisDedupeStore = {
  /** Needs a RedisConnection. */
  layer: (options: RedisDedupeStoreOptions = {}) => Layer.effect(DedupeStore, makeRedisDedupeStore(options)),
}
