import {
  type AgentMemory,
  type ConversationStore,
  type Cooldown,
  type DedupeStore,
  MemoryAgentMemory,
  MemoryConversationStore,
  MemoryCooldown,
  MemoryDedupeStore,
  MemoryTokenStore,
  RateWindow,
  type TokenStore,
} from "@openpollen/core"
import { OpenApi } from "@openpollen/openapi"
import type { RedisUnavailable } from "@openpollen/redis"
import type { SqliteUnavailable } from "@openpollen/sqlite"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { DingTalkChannelOptions } from "./DingTalkChannel.js"
import { StoreHealth } from "./StoreHealth.js"

/** Every store and the Open API; the journal and dead letters (sqlite, redis) are found by the services that use them. */
export type StateLayer = Layer.Layer<
  | Layer.Success<ReturnType<typeof OpenApi.layer>>
  | TokenStore
  | DedupeStore
  | ConversationStore
  | AgentMemory
  | Cooldown
  | StoreHealth,
  SqliteUnavailable | RedisUnavailable
>

/** The state the configured store keeps (memory, one SQLite file, or Redis shared by instances) and the Open API. */
export const stateLayers = (
  options: Pick<DingTalkChannelOptions, "dingtalk" | "credentials" | "store">,
): StateLayer => {
  const { dingtalk, credentials, store } = options
  const openApi = {
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    robotCode: credentials.robotCode,
    apiBase: dingtalk.apiBase,
    oapiBase: dingtalk.oapiBase,
    qps: dingtalk.qps,
    download: dingtalk.download,
    card: {
      templateId: dingtalk.card.templateId,
      contentKey: dingtalk.card.contentKey,
      qps: dingtalk.card.qps,
    },
  }
  if (store.kind === "memory") {
    const stores = Layer.mergeAll(
      MemoryTokenStore.layer,
      MemoryDedupeStore.layer({ ttlMs: 600_000, maxEntries: 50_000 }),
      MemoryConversationStore.layer(),
      MemoryAgentMemory.layer(),
      MemoryCooldown.layer(),
      StoreHealth.alwaysHealthy,
    )
    return OpenApi.layer(openApi).pipe(Layer.provideMerge(stores))
  }
  if (store.kind === "sqlite") {
    // One file this process holds alone: received messages (recorded before the ACK), what was answered, reply
    // routes, the agent's history and the token survive a crash and are picked up on the next start.
    // The SQLite adapter is loaded only for this store.
    return Layer.unwrap(
      Effect.map(
        Effect.promise(() => import("@openpollen/sqlite")),
        ({ SqliteDatabase, SqliteStores }) => {
          const stores = SqliteStores.layer({
            path: store.path,
            journal: { leaseMs: store.leaseMs, maxDeliveries: store.maxDeliveries },
            agentMemory: { idleTtlMs: store.historyTtlMs },
          })
          const health = Layer.effect(
            StoreHealth,
            Effect.map(Effect.service(SqliteDatabase), (database) =>
              StoreHealth.of({ check: database.write("health check", () => undefined) }),
            ),
          )
          // The refusal cooldown is one line per sender and hour: losing it on a restart costs at most one more line.
          return Layer.mergeAll(OpenApi.layer(openApi), health, MemoryCooldown.layer()).pipe(
            Layer.provideMerge(stores),
          )
        },
      ),
    )
  }
  // Instances share dedupe claims, the access token (one fetches at a time), reply routes, received messages, the
  // agent's conversation history, a lease per conversation (one instance runs the agent for it at a time) and the
  // refusal cooldowns (one refusal line per sender and hour across all instances), and the app's card call rate
  // (all instances together stay under card.qps).
  // The Redis client is loaded only for this store.
  return Layer.unwrap(
    Effect.map(
      Effect.promise(() => import("@openpollen/redis")),
      ({ probeWritable, RedisConnection, RedisRefreshLock, RedisStores }) => {
        const stores = RedisStores.layer({
          url: store.url,
          keyPrefix: store.keyPrefix,
          dedupe: { inFlightTtlMs: store.leaseMs },
          journal: { leaseMs: store.leaseMs, maxDeliveries: store.maxDeliveries },
          agentMemory: { idleTtlMs: store.historyTtlMs },
          conversationLease: { leaseMs: store.leaseMs },
        })
        const lockedOpenApi = Layer.unwrap(
          Effect.map(
            Effect.all([Effect.service(RedisRefreshLock), Effect.service(RateWindow)]),
            ([lock, cardRateWindow]) =>
              OpenApi.layer({ ...openApi, refreshLock: lock.withLock, cardRateWindow }),
          ),
        )
        const health = Layer.effect(
          StoreHealth,
          Effect.map(Effect.service(RedisConnection), (redis) =>
            StoreHealth.of({ check: probeWritable.pipe(Effect.provideService(RedisConnection, redis)) }),
          ),
        )
        return Layer.merge(lockedOpenApi, health).pipe(Layer.provideMerge(stores))
      },
    ),
  )
}
