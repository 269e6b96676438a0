import { describe, expect, it } from "@effect/vitest"
import { ConversationStore, DedupeStore, InboundJournal } from "@openpollen/core"
import { SqliteDatabase, SqliteStores } from "@openpollen/sqlite"
import * as Effect from "effect/Effect"
import { tempDatabasePath } from "./tempFile.js"

const count = (table: "dedupe" | "routes" | "inbound") =>
  Effect.flatMap(Effect.service(SqliteDatabase), (database) =>
    database.read("count", (sql) => sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)?.n ?? -1),
  )

// A write queued after the ones written behind commits after them.
const committed = Effect.flatMap(Effect.service(SqliteDatabase), (database) =>
  database.write("barrier", () => undefined),
)

const stores = (path: string) => SqliteStores.layer({ path, journal: { pollEveryMs: 60_000 } })

describe("what the stores write behind (after the reply, nobody waits for it)", () => {
  it.live("a completed key answers done before its row commits, and after a restart", () =>
    Effect.gen(function* () {
      const path = tempDatabasePath()
      yield* Effect.gen(function* () {
        const dedupe = yield* DedupeStore
        expect(yield* dedupe.claim("k")).toBe("claimed")
        yield* dedupe.complete("k")
        expect(yield* count("dedupe")).toBe(0)
        expect(yield* dedupe.claim("k")).toBe("done")
        yield* committed
        expect(yield* count("dedupe")).toBe(1)
      }).pipe(Effect.provide(stores(path)))
      const afterRestart = yield* Effect.flatMap(Effect.service(DedupeStore), (dedupe) =>
        dedupe.claim("k"),
      ).pipe(Effect.provide(stores(path)))
      expect(afterRestart).toBe("done")
    }),
  )

  it.live("a remembered route is the latest at once, and in the file once committed", () =>
    Effect.gen(function* () {
      const path = tempDatabasePath()
      const route = { sessionWebhook: "https://oapi.example/robot/sendBySession?session=a", expiresAt: 8e12 }
      yield* Effect.gen(function* () {
        const routes = yield* ConversationStore
        yield* routes.remember("r", route)
        yield* routes.remember("r", {
          ...route,
          sessionWebhook: `${route.sessionWebhook}-older`,
          expiresAt: 7e12,
        })
        expect(yield* count("routes")).toBe(0)
        expect((yield* routes.latest("r"))._tag).toBe("Some")
        expect(yield* routes.latest("r")).toMatchObject({ value: route })
        yield* committed
        expect(yield* count("routes")).toBe(1)
      }).pipe(Effect.provide(stores(path)))
      const afterRestart = yield* Effect.flatMap(Effect.service(ConversationStore), (routes) =>
        routes.latest("r"),
      ).pipe(Effect.provide(stores(path)))
      expect(afterRestart).toMatchObject({ value: route })
    }),
  )

  it.live(
    "a settled message leaves the journal with the next commit, after the completion queued before it",
    () =>
      Effect.gen(function* () {
        const path = tempDatabasePath()
        yield* Effect.gen(function* () {
          const journal = yield* InboundJournal
          const dedupe = yield* DedupeStore
          const recorded = yield* journal.record({
            frameMessageId: "f-1",
            data: { msgId: "m-1" },
            receivedAt: 1,
          })
          yield* dedupe.claim("m-1")
          yield* dedupe.complete("m-1")
          yield* journal.settle(recorded)
          expect(yield* count("inbound")).toBe(1)
          yield* committed
          expect(yield* count("inbound")).toBe(0)
          expect(yield* count("dedupe")).toBe(1)
        }).pipe(Effect.provide(stores(path)))
      }),
  )
})
