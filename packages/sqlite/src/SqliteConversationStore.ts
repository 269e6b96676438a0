import { ConversationStore, ConversationStoreError, type ReplyRoute } from "@openpollen/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { makeExpirySweep } from "./expirySweep.js"
import { SqliteDatabase } from "./SqliteDatabase.js"
import type { SqliteUnavailable } from "./SqliteUnavailable.js"

const later = (a: ReplyRoute | undefined, b: ReplyRoute | undefined) =>
  a === undefined ? b : b === undefined || a.expiresAt >= b.expiresAt ? a : b

/**
 * Reply routes in the `routes` table: an upsert keeps the route that expires last; reads check the Clock, and
 * expired rows are deleted by a later write, once a second at most. A route is advice (every message carries its
 * own), so `remember` queues its write for the next group commit without waiting; until then reads see it from
 * memory.
 */
export const makeSqliteConversationStore = Effect.gen(function* () {
  const database = yield* SqliteDatabase
  const failed = (error: SqliteUnavailable) => new ConversationStoreError({ message: error.message })
  const sweepExpired = makeExpirySweep("routes")
  const unsaved = new Map<string, ReplyRoute>()

  return ConversationStore.of({
    remember: (key, route) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        if (route.expiresAt <= now) return
        const queued = later(route, unsaved.get(key)) as ReplyRoute
        unsaved.set(key, queued)
        database.writeBehind(
          "conversation write",
          (sql) => {
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
          },
          () => {
            if (unsaved.get(key) === queued) unsaved.delete(key)
          },
        )
      }),
    latest: (key) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        database.read("conversation read", (sql) => {
          const row = sql.get<{ session_webhook: string; expires_at: number }>(
            "SELECT session_webhook, expires_at FROM routes WHERE key = ? AND expires_at > ?",
            key,
            now,
          )
          const stored =
            row === undefined ? undefined : { sessionWebhook: row.session_webhook, expiresAt: row.expires_at }
          const pending = unsaved.get(key)
          return later(pending !== undefined && pending.expiresAt > now ? pending : undefined, stored)
        }),
      ).pipe(Effect.map(Option.fromUndefinedOr), Effect.mapError(failed)),
  })
})

export const SqliteConversationStore = {
  /** Needs a SqliteDatabase. */
  layer: Layer.effect(ConversationStore, makeSqliteConversationStore),
}
