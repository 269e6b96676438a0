import { type DeadLetter, DeadLetters, DeadLettersError } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { frameIds } from "./frameIds.js"
import { SqliteDatabase } from "./SqliteDatabase.js"
import type { SqliteUnavailable } from "./SqliteUnavailable.js"

const StoredFrame = Schema.Struct({ data: Schema.Unknown, receivedAt: Schema.Number })
const decodeStored = Schema.decodeUnknownOption(Schema.fromJsonString(StoredFrame))

interface DeadRow {
  readonly id: number
  readonly frame: string
  readonly deliveries: number
  readonly dead_at: number
}

/** The `dead_letters` table; a retry moves the row back into `inbound`, free for the next look. */
export const makeSqliteDeadLetters = Effect.gen(function* () {
  const database = yield* SqliteDatabase
  const failed = (error: SqliteUnavailable) => new DeadLettersError({ message: error.message })
  const idOf = (id: string) => (/^\d+$/.test(id) ? Number(id) : -1)

  return DeadLetters.of({
    count: database
      .read(
        "dead letters count",
        (sql) => sql.get<{ n: number }>("SELECT count(*) AS n FROM dead_letters")?.n ?? 0,
      )
      .pipe(Effect.mapError(failed)),
    list: (limit) =>
      database
        .read("dead letters list", (sql) =>
          sql.all<DeadRow>(
            "SELECT id, frame, deliveries, dead_at FROM dead_letters ORDER BY id LIMIT ?",
            Math.max(Math.floor(limit), 0),
          ),
        )
        .pipe(
          Effect.map((rows) =>
            rows.map((row): DeadLetter => {
              const stored = decodeStored(row.frame)
              return {
                id: String(row.id),
                ...Option.match(stored, { onNone: () => ({}), onSome: (found) => frameIds(found.data) }),
                receivedAt: Option.match(stored, { onNone: () => 0, onSome: (found) => found.receivedAt }),
                deadAt: row.dead_at,
                deliveries: row.deliveries,
              }
            }),
          ),
          Effect.mapError(failed),
        ),
    retry: (id) =>
      database
        .write("dead letter retry", (sql) => {
          const row = sql.get<DeadRow>("SELECT id, frame FROM dead_letters WHERE id = ?", idOf(id))
          if (row === undefined) return false
          sql.run(
            "INSERT INTO inbound (frame, deliveries, held_by, available_at) VALUES (?, 0, NULL, 0)",
            row.frame,
          )
          sql.run("DELETE FROM dead_letters WHERE id = ?", row.id)
          return true
        })
        .pipe(Effect.mapError(failed)),
    drop: (id) =>
      database
        .write(
          "dead letter drop",
          (sql) => Number(sql.run("DELETE FROM dead_letters WHERE id = ?", idOf(id)).changes) > 0,
        )
        .pipe(Effect.mapError(failed)),
  })
})

export const SqliteDeadLetters = {
  /** Needs a SqliteDatabase. */
  layer: Layer.effect(DeadLetters, makeSqliteDeadLetters),
}
