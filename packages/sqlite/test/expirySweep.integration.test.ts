import { describe, expect, it } from "@effect/vitest"
import { ConversationStore, DedupeStore } from "@openpollen/core"
import { SqliteDatabase, SqliteStores } from "@openpollen/sqlite"
import * as Effect from "effect/Effect"
import { TestClock } from "effect/testing"
import { tempDatabasePath } from "./tempFile.js"

const rows = (table: "dedupe" | "routes") =>
  Effect.flatMap(Effect.service(SqliteDatabase), (database) =>
    database.read("count", (sql) => sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)?.n ?? -1),
  )

// Completions and routes are written behind; a write queued after them commits after them.
const committed = Effect.flatMap(Effect.service(SqliteDatabase), (database) =>
  database.write("barrier", () => undefined),
)

const FIVE_MINUTES = 300_000

describe("expired rows", () => {
  it.effect("are deleted by a later write once they expire, so the file does not grow with old keys", () =>
    Effect.gen(function* () {
      const dedupe = yield* DedupeStore
      const routes = yield* ConversationStore
      for (const key of ["a", "b", "c"]) {
        yield* dedupe.claim(key)
        yield* dedupe.complete(key)
        yield* routes.remember(key, { sessionWebhook: `https://x/?session=${key}`, expiresAt: 60_000 })
      }
      yield* committed
      expect(yield* rows("dedupe")).toBe(3)
      expect(yield* rows("routes")).toBe(3)

      yield* TestClock.adjust(FIVE_MINUTES + 1_000)
      yield* dedupe.claim("d")
      yield* dedupe.complete("d")
      yield* routes.remember("d", { sessionWebhook: "https://x/?session=d", expiresAt: FIVE_MINUTES * 10 })
      yield* committed

      expect(yield* rows("dedupe")).toBe(1)
      expect(yield* rows("routes")).toBe(1)
    }).pipe(
      Effect.provide(SqliteStores.layer({ path: tempDatabasePath(), dedupe: { doneTtlMs: FIVE_MINUTES } })),
    ),
  )
})
