import {
  type AgentMemory,
  type ConversationStore,
  type Cooldown,
  type DedupeStore,
  type FileStore,
  type FileStoreError,
  type MediaFiles,
  MemoryAgentMemory,
  MemoryConversationStore,
  MemoryCooldown,
  MemoryDedupeStore,
  MemoryTokenStore,
  type TokenStore,
} from "@openpollen/core"
import { LocalFileStore, LocalMediaFiles } from "@openpollen/fs"
import type { RedisUnavailable } from "@openpollen/redis"
import type { SqliteUnavailable } from "@openpollen/sqlite"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ResolvedConfig, ResolvedDingTalk } from "../config/ResolvedConfig.js"
import { StoreHealth } from "./StoreHealth.js"

/**
 * What every account of the process uses through one instance: the stores (their keys carry the robotCode, the
 * clientId or the account), the uploads folder and the logger. What a store backend adds (the SQLite file, the Redis
 * connection, its lock, rate window and conversation lease) is in it too, for the accounts' own layers to build on.
 */
export type SharedLayer = Layer.Layer<
  | TokenStore
  | DedupeStore
  | ConversationStore
  | AgentMemory
  | Cooldown
  | StoreHealth
  | FileStore
  | MediaFiles,
  SqliteUnavailable | RedisUnavailable | FileStoreError
>

const storeLayers = (store: ResolvedConfig["store"]) => {
  if (store.kind === "memory")
    return Layer.mergeAll(
      MemoryTokenStore.layer,
      MemoryDedupeStore.layer({ ttlMs: 600_000, maxEntries: 50_000 }),
      MemoryConversationStore.layer(),
      MemoryAgentMemory.layer(),
      MemoryCooldown.layer(),
      StoreHealth.alwaysHealthy,
    )
  if (store.kind === "sqlite")
    // One file this process holds alone: received messages (recorded before the ACK), what was answered, reply
    // routes, the agent's history and the token survive a crash and are picked up on the next start.
    // The SQLite adapter is loaded only for this store.
    return Layer.unwrap(
      Effect.map(
        Effect.promise(() => import("@openpollen/sqlite")),
        (sqlite) => {
          const health = Layer.effect(
            StoreHealth,
            Effect.map(Effect.service(sqlite.SqliteDatabase), (database) =>
              StoreHealth.of({ check: database.write("health check", () => undefined) }),
            ),
          )
          // The refusal cooldown is one line per sender and hour: losing it on a restart costs at most one more line.
          return Layer.mergeAll(
            sqlite.SqliteDedupeStore.layer({ doneTtlMs: store.dedupeTtlMs }),
            sqlite.SqliteTokenStore.layer,
            sqlite.SqliteConversationStore.layer,
            sqlite.SqliteAgentMemory.layer({ idleTtlMs: store.historyTtlMs }),
            health,
            MemoryCooldown.layer(),
          ).pipe(Layer.provideMerge(sqlite.SqliteDatabase.layer({ path: store.path })))
        },
      ),
    )
  // Instances share dedupe claims, the access token (one fetches at a time), reply routes, the agent's conversation
  // history, a lease per conversation (one instance runs the agent for it at a time), the refusal cooldowns (one
  // refusal line per sender and hour across all instances) and each app's card call rate.
  // The Redis client is loaded only for this store.
  return Layer.unwrap(
    Effect.map(
      Effect.promise(() => import("@openpollen/redis")),
      (redis) => {
        const health = Layer.effect(
          StoreHealth,
          Effect.map(Effect.service(redis.RedisConnection), (connection) =>
            StoreHealth.of({
              check: redis.probeWritable.pipe(Effect.provideService(redis.RedisConnection, connection)),
            }),
          ),
        )
        return Layer.mergeAll(
          redis.RedisDedupeStore.layer({ inFlightTtlMs: store.leaseMs, doneTtlMs: store.dedupeTtlMs }),
          redis.RedisTokenStore.layer,
          redis.RedisConversationStore.layer,
          redis.RedisRefreshLock.layer(),
          redis.RedisAgentMemory.layer({ idleTtlMs: store.historyTtlMs }),
          redis.RedisConversationLease.layer({ leaseMs: store.leaseMs }),
          redis.RedisCooldown.layer,
          redis.RedisRateWindow.layer,
          health,
        ).pipe(
          Layer.provideMerge(redis.RedisConnection.layer({ url: store.url, keyPrefix: store.keyPrefix })),
        )
      },
    ),
  )
}

/**
 * The shared layer of a process: the configured store, the uploads folder (one sweep), the folders answers may send
 * files from, and the logger.
 */
export const sharedLayers = (options: {
  readonly store: ResolvedConfig["store"]
  readonly dingtalk: ResolvedDingTalk
  readonly logger: Layer.Layer<never>
  /** The agent's workspace (`agent.workspace`): answers may send files from it and from the uploads folder. */
  readonly workspace?: string
}): SharedLayer =>
  Layer.mergeAll(
    storeLayers(options.store),
    LocalFileStore.layer({
      root: options.dingtalk.uploads.dir,
      maxBytes: options.dingtalk.download.maxBytes,
      retention: {
        maxAgeDays: options.dingtalk.uploads.retentionDays,
        maxTotalBytes: options.dingtalk.uploads.maxTotalBytes,
      },
    }),
    // Only these folders' files go out as media; relative paths in an answer are read from the workspace.
    LocalMediaFiles.layer({
      roots: [options.dingtalk.uploads.dir, ...(options.workspace === undefined ? [] : [options.workspace])],
      baseDir: options.workspace ?? options.dingtalk.uploads.dir,
    }),
  ).pipe(Layer.provideMerge(options.logger))
