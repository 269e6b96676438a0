import { ConversationStore, ConversationStoreError, type ReplyRoute } from "@openpollen/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { makeExpirySweep } from "./expirySweep.js"
import { SqliteDatabase } from "./SqliteDatabase.js"
import type { SqliteUnavailable } from "./SqliteUnavailable.js"

/**
 * Reply routes in the `routes` table: an upsert keeps the route that expires last; reads check the Clock, and
 * expired rows are deleted by a later write, once a second at most.
 */
export const makeSqliteConversationStore = Effect.gen(function* () {
  const database = yield* SqliteDatabase
  const failed = (error: SqliteUnavailable) => new ConversationStoreError({ message: error.message })
  const sweepExpired = makeExpirySweep("routes")

  return ConversationStore.of({
    remember: (key, route) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        route.expiresAt <= now
          ? Effect.void
          : database.write("conversation write", (sql) => {
              sql.run(
                `INSERT INTO routes (key, session_webhook, expires_at) VALUES (?, ?, ?)
                 ON CONFLICT (key) DO UPDATE SET session_webhook = excluded.session_webhook,
                   expires_at = excluded.expires_at
                 WHERE excluded.expires_at > routes.expires_at`,
                key,
                route.sessionWebhook,
                route.expiresAt,
              )
              sweepExpired(sql, now)
            }),
      ).pipe(Effect.mapError(failed), Effect.asVoid),
    latest: (key) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        database.read("conversation read", (sql) =>
          sql.get<{ session_webhook: string; expires_at: number }>(
            "SELECT session_webhook, expires_at FROM routes WHERE key = ? AND expires_at > ?",
            key,
            now,
          ),
        ),
      ).pipe(
        Effect.map((row) =>
          row === undefined
            ? Option.none<ReplyRoute>()
            : Option.some<ReplyRoute>({ sessionWebhook: row.session_webhook, expiresAt: row.expires_at }),
        ),
        Effect.mapError(failed),
      ),
  })
})

export const SqliteConversationStore = {
  /** Needs a SqliteDatabase. */
  layer: Layer.effect(ConversationStore, makeSqliteConversationStore),
}
