import { type ClaimResult, DedupeStore, DedupeStoreError } from "@openpollen/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { makeExpirySweep } from "./expirySweep.js"
import { SqliteDatabase } from "./SqliteDatabase.js"
import type { SqliteUnavailable } from "./SqliteUnavailable.js"

export interface SqliteDedupeStoreOptions {
  /** How long a completed key is remembered; never under 5 min. Default 24 h. */
  readonly doneTtlMs?: number
}

const MIN_DONE_TTL_MS = 300_000

/**
 * Completed keys in the `dedupe` table, so a restart still knows what was answered; claims in flight live in this
 * process's memory only, since the file has one process and a claim must not outlive it. A completion is queued for
 * the next group commit without waiting for it (the reply is already out; waiting would only hold the conversation's
 * worker): until it commits the key answers `done` from memory, so no claim slips in between.
 */
export const makeSqliteDedupeStore = (options: SqliteDedupeStoreOptions = {}) =>
  Effect.gen(function* () {
    const database = yield* SqliteDatabase
    const doneTtlMs = Math.max(Math.round(options.doneTtlMs ?? 86_400_000), MIN_DONE_TTL_MS)
    const inFlight = new Set<string>()
    const completing = new Set<string>()
    const sweepExpired = makeExpirySweep("dedupe")
    const failed = (error: SqliteUnavailable) => new DedupeStoreError({ message: error.message })

    return DedupeStore.of({
      claim: (key) =>
        Effect.suspend(() => {
          if (inFlight.has(key)) return Effect.succeed<ClaimResult>("in-flight")
          if (completing.has(key)) return Effect.succeed<ClaimResult>("done")
          return Effect.flatMap(Clock.currentTimeMillis, (now) =>
            database.read("dedupe claim", (sql) => {
              if (inFlight.has(key)) return "in-flight"
              const done = sql.get("SELECT 1 AS done FROM dedupe WHERE key = ? AND expires_at > ?", key, now)
              if (done !== undefined) return "done"
              inFlight.add(key)
              return "claimed"
            }),
          ).pipe(Effect.mapError(failed))
        }),
      complete: (key) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          completing.add(key)
          inFlight.delete(key)
          database.writeBehind(
            "dedupe complete",
            (sql) => {
              sql.run("INSERT OR REPLACE INTO dedupe (key, expires_at) VALUES (?, ?)", key, now + doneTtlMs)
              sweepExpired(sql, now)
            },
            () => completing.delete(key),
          )
        }),
      release: (key) =>
        Effect.sync(() => {
          inFlight.delete(key)
        }),
    })
  })

export const SqliteDedupeStore = {
  /** Needs a SqliteDatabase. */
  layer: (options: SqliteDedupeStoreOptions = {}) =>
    Layer.effect(DedupeStore, makeSqliteDedupeStore(options)),
}
