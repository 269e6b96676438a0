import { randomUUID } from "node:crypto"
import { ConversationLease, ConversationLeaseError } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { acquireKey } from "./acquireKey.js"
import { compareAndDelete, compareAndExtend, evalScript } from "./luaScript.js"
import { RedisConnection } from "./RedisConnection.js"

export interface RedisConversationLeaseOptions {
  /** A lease outlives a holder that died by this long; its holder renews it every third while it lives. Default 30 s. */
  readonly leaseMs?: number
  /** How long to wait for another instance's turn before failing (the caller then goes ahead unleased). Default 2 min. */
  readonly waitTimeoutMs?: number
}

/**
 * `SET <prefix>lease:conversation:<key> <owner> NX PX <lease>` with a fresh owner per holder, polled with jittered
 * backoff (25 → 200 ms) while another instance holds it, renewed by compare-and-extend while the effect runs, and
 * released by compare-and-delete however the effect ends.
 */
export const makeRedisConversationLease = (options: RedisConversationLeaseOptions = {}) =>
  Effect.gen(function* () {
    const redis = yield* RedisConnection
    const leaseMs = Math.max(Math.round(options.leaseMs ?? 30_000), 30)
    const waitTimeoutMs = Math.max(options.waitTimeoutMs ?? 120_000, 0)
    const renewEveryMs = Math.max(Math.floor(leaseMs / 3), 10)

    const acquire = (leaseKey: string, owner: string) =>
      acquireKey(redis, {
        key: leaseKey,
        owner,
        ttlMs: leaseMs,
        waitTimeoutMs,
        what: "conversation lease",
        fail: (message) => new ConversationLeaseError({ message }),
      })

    const keep = (leaseKey: string, owner: string) =>
      Effect.gen(function* () {
        while (true) {
          yield* Effect.sleep(renewEveryMs)
          const held = yield* redis
            .run("conversation lease renewal", (client) =>
              evalScript(client, compareAndExtend, [leaseKey], [owner, String(leaseMs)]),
            )
            .pipe(
              Effect.map((reply) => reply === 1),
              Effect.catch(() => Effect.succeed(true)),
            )
          if (!held)
            return yield* Effect.logWarning(
              "lost a conversation lease while answering; another instance may answer",
            )
        }
      })

    const release = (leaseKey: string, owner: string) =>
      redis
        .run("conversation lease release", (client) =>
          evalScript(client, compareAndDelete, [leaseKey], [owner]),
        )
        .pipe(
          Effect.catch((error) =>
            Effect.logWarning("could not release a conversation lease; it lapses by itself").pipe(
              Effect.annotateLogs({ error: error.message }),
            ),
          ),
          Effect.asVoid,
        )

    return ConversationLease.of({
      withLease: (key, effect) =>
        Effect.uninterruptibleMask((restore) =>
          Effect.gen(function* () {
            const leaseKey = `${redis.keyPrefix}lease:conversation:${key}`
            const owner = randomUUID()
            // A failed or interrupted SET may still have taken the lease: release it either way.
            yield* restore(acquire(leaseKey, owner)).pipe(Effect.onError(() => release(leaseKey, owner)))
            const renewal = yield* Effect.forkChild(Effect.interruptible(keep(leaseKey, owner)))
            return yield* restore(effect).pipe(
              Effect.ensuring(Fiber.interrupt(renewal).pipe(Effect.andThen(release(leaseKey, owner)))),
            )
          }),
        ),
    })
  })

export const RedisConversationLease = {
  /** Needs a RedisConnection. */
  layer: (options: RedisConversationLeaseOptions = {}) =>
    Layer.effect(ConversationLease, makeRedisConversationLease(options)),
}
