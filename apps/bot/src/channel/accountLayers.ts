import { RateWindow } from "@openpollen/core"
import { OpenApi } from "@openpollen/openapi"
import type { RedisUnavailable } from "@openpollen/redis"
import type { SqliteUnavailable } from "@openpollen/sqlite"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ResolvedAccount, ResolvedConfig } from "../config/ResolvedConfig.js"
import { DEFAULT_ACCOUNT } from "../config/resolveAccounts.js"
import type { SharedLayer } from "./sharedLayers.js"

const openApiOf = ({ credentials, dingtalk }: ResolvedAccount) => ({
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
})

type OpenApiServices = Layer.Success<ReturnType<typeof OpenApi.layer>>

/**
 * Besides the Open API, the account's journal and dead letters where the store keeps them. Built on the shared layer
 * of the same store kind, which also holds the store's backend (the SQLite file, the Redis connection, its lock and
 * rate window) that the types of the shared layer do not name.
 */
export type AccountLayer = Layer.Layer<
  OpenApiServices,
  SqliteUnavailable | RedisUnavailable,
  Layer.Success<SharedLayer>
>

/**
 * One account's own state on top of the shared layer: its Open API (token, rate limiters, card limiter) and, with
 * a durable store, its own journal and dead letters, so that a message is only ever answered by the robot it came to.
 */
export const accountLayers = (account: ResolvedAccount, store: ResolvedConfig["store"]): AccountLayer => {
  const openApi = openApiOf(account)
  if (store.kind === "memory") return OpenApi.layer(openApi)
  if (store.kind === "sqlite")
    return Layer.unwrap(
      Effect.map(
        Effect.promise(() => import("@openpollen/sqlite")),
        (sqlite) =>
          Layer.mergeAll(
            OpenApi.layer(openApi),
            sqlite.SqliteInboundJournal.layer({
              leaseMs: store.leaseMs,
              maxDeliveries: store.maxDeliveries,
              account: account.name,
            }),
            sqlite.SqliteDeadLetters.layerOf({ account: account.name }),
          ),
      ),
    ) as AccountLayer
  return Layer.unwrap(
    Effect.map(
      Effect.promise(() => import("@openpollen/redis")),
      (redis) => {
        // Another account's journal is another stream: `<prefix>account:<name>:inbound`.
        const connection =
          account.name === DEFAULT_ACCOUNT
            ? Layer.empty
            : Layer.effect(
                redis.RedisConnection,
                Effect.map(Effect.service(redis.RedisConnection), (shared) =>
                  redis.RedisConnection.of({
                    ...shared,
                    keyPrefix: `${shared.keyPrefix}account:${account.name}:`,
                  }),
                ),
              )
        const journal = Layer.mergeAll(
          redis.RedisInboundJournal.layer({ leaseMs: store.leaseMs, maxDeliveries: store.maxDeliveries }),
          redis.RedisDeadLetters.layer,
        ).pipe(Layer.provide(connection))
        const lockedOpenApi = Layer.unwrap(
          Effect.map(
            Effect.all([Effect.service(redis.RedisRefreshLock), Effect.service(RateWindow)]),
            ([lock, cardRateWindow]) =>
              OpenApi.layer({ ...openApi, refreshLock: lock.withLock, cardRateWindow }),
          ),
        )
        return Layer.merge(lockedOpenApi, journal)
      },
    ),
  ) as AccountLayer
}
