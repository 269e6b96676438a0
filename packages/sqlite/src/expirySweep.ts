import type { Sql } from "./SqliteDatabase.js"

/** Rows past their expiry are deleted at most this often, inside a write that passes by. */
export const SWEEP_INTERVAL_MS = 1_000
/** At most this many rows a sweep: a second's worth at well over any bot's message rate. */
export const SWEEP_BATCH = 5_000

/**
 * Deletes expired rows of `table` (indexed on `expires_at`) from within a write, once a second at most: on every write
 * the extra statement was a measurable part of a message's cost, and a second's delay changes nothing (reads
 * already ignore an expired row).
 */
export const makeExpirySweep = (table: "dedupe" | "routes") => {
  let lastSweepAt = Number.NEGATIVE_INFINITY
  const statement = `DELETE FROM ${table} WHERE key IN (SELECT key FROM ${table} WHERE expires_at <= ? LIMIT ${SWEEP_BATCH})`
  return (sql: Sql, now: number): void => {
    if (now - lastSweepAt < SWEEP_INTERVAL_MS && now >= lastSweepAt) return
    lastSweepAt = now
    sql.run(statement, now)
  }
}
