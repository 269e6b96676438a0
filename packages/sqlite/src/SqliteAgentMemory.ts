import { AgentMemory, AgentMemoryError, type AgentTurn, boundedTurn } from "@openpollen/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { SqliteDatabase } from "./SqliteDatabase.js"
import type { SqliteUnavailable } from "./SqliteUnavailable.js"

export interface SqliteAgentMemoryOptions {
  /** A session nobody wrote to for this long is forgotten. Default 7 days. */
  readonly idleTtlMs?: number
}

/**
 * Conversation history in the `turns` table (oldest first by `seq`), with each session's last write in `sessions`:
 * an append inserts, trims to the newest turns and touches the session in one transaction; a session idle past the
 * TTL reads as empty and is deleted by a later append (a few at a time).
 */
export const makeSqliteAgentMemory = (options: SqliteAgentMemoryOptions = {}) =>
  Effect.gen(function* () {
    const database = yield* SqliteDatabase
    const idleTtlMs = Math.max(Math.round(options.idleTtlMs ?? 7 * 86_400_000), 1_000)
    const failed = (error: SqliteUnavailable) => new AgentMemoryError({ message: error.message })
    const reset = (sessionKey: string) =>
      database
        .write("agent memory reset", (sql) => {
          sql.run("DELETE FROM turns WHERE session_key = ?", sessionKey)
          sql.run("DELETE FROM sessions WHERE session_key = ?", sessionKey)
        })
        .pipe(Effect.mapError(failed))

    return AgentMemory.of({
      load: (sessionKey) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          database.read("agent memory read", (sql) => {
            const live = sql.get(
              "SELECT 1 AS live FROM sessions WHERE session_key = ? AND touched_at > ?",
              sessionKey,
              now - idleTtlMs,
            )
            if (live === undefined) return []
            return sql.all<AgentTurn>(
              "SELECT role, text FROM turns WHERE session_key = ? ORDER BY seq",
              sessionKey,
            )
          }),
        ).pipe(
          Effect.map((rows) => rows.map((row): AgentTurn => ({ role: row.role, text: row.text }))),
          Effect.mapError(failed),
        ),
      append: (sessionKey, turns, maxTurns) => {
        const kept = Math.max(Math.floor(maxTurns), 0)
        if (kept === 0) return reset(sessionKey)
        if (turns.length === 0) return Effect.void
        const added = turns.slice(-kept).map(boundedTurn)
        return Effect.flatMap(Clock.currentTimeMillis, (now) =>
          database.write("agent memory write", (sql) => {
            const since = now - idleTtlMs
            const stale = sql.get(
              "SELECT 1 AS stale FROM sessions WHERE session_key = ? AND touched_at <= ?",
              sessionKey,
              since,
            )
            if (stale !== undefined) sql.run("DELETE FROM turns WHERE session_key = ?", sessionKey)
            for (const turn of added)
              sql.run(
                "INSERT INTO turns (session_key, role, text) VALUES (?, ?, ?)",
                sessionKey,
                turn.role,
                turn.text,
              )
            sql.run(
              `DELETE FROM turns WHERE session_key = ? AND seq <= (
                 SELECT seq FROM turns WHERE session_key = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
              sessionKey,
              sessionKey,
              kept,
            )
            sql.run(
              "INSERT OR REPLACE INTO sessions (session_key, touched_at) VALUES (?, ?)",
              sessionKey,
              now,
            )
            for (const expired of sql.all<{ session_key: string }>(
              "SELECT session_key FROM sessions WHERE touched_at <= ? LIMIT 4",
              since,
            )) {
              sql.run("DELETE FROM turns WHERE session_key = ?", expired.session_key)
              sql.run("DELETE FROM sessions WHERE session_key = ?", expired.session_key)
            }
          }),
        ).pipe(Effect.mapError(failed))
      },
      reset,
    })
  })

export const SqliteAgentMemory = {
  /** Needs a SqliteDatabase. */
  layer: (options: SqliteAgentMemoryOptions = {}) =>
    Layer.effect(AgentMemory, makeSqliteAgentMemory(options)),
}
