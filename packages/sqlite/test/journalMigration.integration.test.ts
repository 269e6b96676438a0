import { DatabaseSync } from "node:sqlite"
import { describe, expect, it } from "@effect/vitest"
import { InboundJournal } from "@openpollen/core"
import { SqliteDatabase, SqliteInboundJournal } from "@openpollen/sqlite"
import { Effect, Layer, Stream } from "effect"
import { tempDatabasePath } from "./tempFile.js"

const journalOn = (path: string) =>
  SqliteInboundJournal.layer({ pollEveryMs: 25 }).pipe(Layer.provide(SqliteDatabase.layer({ path })))

describe("SqliteInboundJournal on a file from the release before card marks (schema version 1)", () => {
  it.live(
    "migrates it: the unanswered message left in it comes back without cardOpened, and can be noted",
    () =>
      Effect.gen(function* () {
        const path = tempDatabasePath()
        // A version-1 file: the current schema less the columns added since, holding one unanswered message of a dead
        // process.
        yield* Effect.provide(Effect.void, journalOn(path))
        const old = new DatabaseSync(path)
        old.exec(`
          ALTER TABLE inbound DROP COLUMN account;
          ALTER TABLE dead_letters DROP COLUMN account;
          ALTER TABLE inbound DROP COLUMN card;
          ALTER TABLE inbound DROP COLUMN media;
          PRAGMA user_version = 1;
        `)
        old
          .prepare("INSERT INTO inbound (frame, deliveries, held_by, available_at) VALUES (?, 1, 'dead', 0)")
          .run(JSON.stringify({ frameMessageId: "f-old", data: { msgId: "msg-old" }, receivedAt: 1 }))
        old.close()

        const [orphan] = yield* Effect.gen(function* () {
          const journal = yield* InboundJournal
          const taken = yield* journal.orphans.pipe(Stream.take(1), Stream.runCollect)
          yield* journal.noteCard(taken[0] ?? { frameMessageId: "", data: null, receivedAt: 0 })
          return taken
        }).pipe(Effect.provide(journalOn(path)))
        expect(orphan).toEqual({
          frameMessageId: "f-old",
          data: { msgId: "msg-old" },
          receivedAt: 1,
          journalId: "1",
        })

        const reopened = new DatabaseSync(path, { readOnly: true })
        expect(reopened.prepare("PRAGMA user_version").get()).toEqual({ user_version: 4 })
        // Written before accounts existed: the message is the single-account form's, the account "default".
        expect(reopened.prepare("SELECT card, account, media FROM inbound WHERE id = 1").get()).toEqual({
          card: 1,
          account: "default",
          media: null,
        })
        reopened.close()
      }),
  )
})
