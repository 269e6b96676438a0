import { ConversationStore, ConversationStoreError, type ReplyRoute, setMostRecent } from "@openpollen/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { makeExpirySweep } from "./expirySweep.js"
import { SqliteDatabase } from "./SqliteDatabase.js"
import type { SqliteUnavailable } from "./SqliteUnavailable.js"

/** The route that expires last: the upsert below keeps the same one in the file. */
const later = (route: ReplyRoute, known: ReplyRoute | null | undefined): ReplyRoute =>
  known == null || route.expiresAt >= known.expiresAt ? route : known

/** Conversations whose route (or lack of one) is kept in memory; past it the least recently used are read again. */
const KNOWN_ROUTES = 5_000

/**
 * Reply routes in the `routes` table: an upsert keeps the route that expires last; reads check the Clock, and
 * expired rows are deleted by a later write, once a second at most. The process owns the file, so what it knows of a
 * conversation's route is kept in memory and answers `latest` without a query. A route is advice (every message
 * carries its own), so `remember` queues its write for the next group commit without waiting for it.
 */
export const makeSqliteConversationStore = Effect.gen(function* () {
  const database = yield* SqliteDatabase
  const failed = (error: SqliteUnavailable) => new ConversationStoreError({ message: error.message })
  const sweepExpired = makeExpirySweep("routes")
  const known = new Map<string, ReplyRoute | null>()

  return ConversationStore.of({
    remember: (key, route) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        if (route.expiresAt <= now) return
        setMostRecent(known, key, later(route, known.get(key)), KNOWN_ROUTES)
        database.writeBehind("conversation write", (sql) => {
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
        })
      }),
    latest: (key) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const remembered = known.get(key)
        const stored =
          remembered !== undefined
            ? Effect.succeed(remembered ?? undefined)
            : database.read("conversation read", (sql) => {
                const row = sql.get<{ session_webhook: string; expires_at: number }>(
                  "SELECT session_webhook, expires_at FROM routes WHERE key = ?",
                  key,
                )
                const route =
                  row === undefined
                    ? null
                    : { sessionWebhook: row.session_webhook, expiresAt: row.expires_at }
                setMostRecent(known, key, route, KNOWN_ROUTES)
                return route ?? undefined
              })
        return Effect.map(stored, (route) =>
          route !== undefined && route.expiresAt > now ? Option.some(route) : Option.none<ReplyRoute>(),
        )
      }).pipe(Effect.mapError(failed)),
  })
})

export const SqliteConversationStore = {
  /** Needs a SqliteDatabase. */
  layer: Layer.effect(ConversationStore, makeSqliteConversationStore),
}
