import { randomUUID } from "node:crypto"
import {
  decodePendingMedia,
  encodePendingMedia,
  type InboundFrame,
  InboundJournal,
  InboundJournalError,
} from "@openpollen/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { frameIds } from "./frameIds.js"
import { SqliteDatabase } from "./SqliteDatabase.js"
import type { SqliteUnavailable } from "./SqliteUnavailable.js"

export interface SqliteInboundJournalOptions {
  /** A frame this instance releases comes back after this long. Default 30 s. */
  readonly leaseMs?: number
  /** How often to look for frames to hand out. Default 1 s (the first look is at once: the replay on start). */
  readonly pollEveryMs?: number
  /** Frames handed out per look at most. Default 200. */
  readonly batchSize?: number
  /** A frame handed out this many times unanswered goes to the dead letters instead. Default 5. */
  readonly maxDeliveries?: number
  /** Whose messages: the accounts (robots) of one process share the file, each journal takes only its own. Default `default`. */
  readonly account?: string
}

const StoredFrame = Schema.Struct({
  frameMessageId: Schema.String,
  data: Schema.Unknown,
  receivedAt: Schema.Number,
})
const decodeStored = Schema.decodeUnknownOption(Schema.fromJsonString(StoredFrame))

interface InboundRow {
  readonly id: number
  readonly frame: string
  readonly deliveries: number
  readonly card: number
  readonly media: string | null
}

/**
 * An InboundJournal in the `inbound` table. `record` commits before the transport ACKs; `settle` deletes. Each row
 * names the instance holding it, so a new process (the file has one at a time) takes every row the dead one left, oldest
 * first, on its first look: the replay on start. A released row is free again after the lease.
 */
export const makeSqliteInboundJournal = (options: SqliteInboundJournalOptions = {}) =>
  Effect.gen(function* () {
    const database = yield* SqliteDatabase
    const leaseMs = Math.max(Math.round(options.leaseMs ?? 30_000), 10)
    const pollEveryMs = Math.max(options.pollEveryMs ?? 1_000, 10)
    const batchSize = Math.max(options.batchSize ?? 200, 1)
    const maxDeliveries = Math.max(Math.floor(options.maxDeliveries ?? 5), 1)
    const me = randomUUID()
    const account = options.account ?? "default"
    const failed = (error: SqliteUnavailable) => new InboundJournalError({ message: error.message })
    const FREE = "account = ? AND (held_by IS NULL OR held_by <> ?) AND available_at <= ?"

    const take = (now: number) =>
      database.write("journal claim", (sql) => {
        const rows = sql.all<InboundRow>(
          `SELECT id, frame, deliveries, card, media FROM inbound WHERE ${FREE} ORDER BY id LIMIT ?`,
          account,
          me,
          now,
          batchSize,
        )
        const taken: Array<InboundRow> = []
        const dead: Array<InboundRow> = []
        for (const row of rows) {
          const deliveries = row.deliveries + 1
          if (deliveries > maxDeliveries) {
            sql.run(
              "INSERT INTO dead_letters (journal_id, frame, deliveries, dead_at, account) VALUES (?, ?, ?, ?, ?)",
              String(row.id),
              row.frame,
              deliveries,
              now,
              account,
            )
            sql.run("DELETE FROM inbound WHERE id = ?", row.id)
            dead.push({ ...row, deliveries })
          } else {
            sql.run("UPDATE inbound SET held_by = ?, deliveries = ? WHERE id = ?", me, deliveries, row.id)
            taken.push(row)
          }
        }
        return { taken, dead }
      })

    const lookOnce = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const any = yield* database.read("journal look", (sql) =>
        sql.get(`SELECT 1 AS found FROM inbound WHERE ${FREE} LIMIT 1`, account, me, now),
      )
      if (any === undefined) return []
      const { taken, dead } = yield* take(now)
      for (const row of dead)
        yield* Effect.logWarning(
          "a message was handed out too often without being answered; moved to the dead letters",
        ).pipe(
          Effect.annotateLogs({
            journalId: String(row.id),
            ...Option.match(decodeStored(row.frame), {
              onNone: () => ({}),
              onSome: (stored) => frameIds(stored.data),
            }),
            deliveries: row.deliveries,
          }),
        )
      const frames: Array<InboundFrame> = []
      for (const row of taken) {
        const stored = decodeStored(row.frame)
        const pendingMedia = row.media === null ? undefined : decodePendingMedia(row.media)
        if (row.media !== null && pendingMedia === undefined)
          yield* Effect.logWarning("a journal entry's pending media do not decode; they are not sent").pipe(
            Effect.annotateLogs({ journalId: String(row.id) }),
          )
        if (Option.isSome(stored))
          frames.push({
            ...stored.value,
            journalId: String(row.id),
            ...(row.card === 1 ? { cardOpened: true } : {}),
            ...(pendingMedia === undefined ? {} : { pendingMedia }),
          })
        else
          yield* database
            .write("journal drop", (sql) => sql.run("DELETE FROM inbound WHERE id = ?", row.id))
            .pipe(
              Effect.ignore,
              Effect.andThen(Effect.logWarning("dropped a journal entry that does not decode")),
            )
      }
      if (frames.length > 0)
        yield* Effect.logInfo("answering messages received earlier and not yet answered").pipe(
          Effect.annotateLogs({ count: frames.length }),
        )
      return frames
    }).pipe(
      Effect.catch((error) =>
        Effect.logWarning("could not look for unanswered messages").pipe(
          Effect.annotateLogs({ error: error.message }),
          Effect.as([] as Array<InboundFrame>),
        ),
      ),
    )

    return InboundJournal.of({
      record: (frame) =>
        database
          .write("journal record", (sql) =>
            sql.run(
              "INSERT INTO inbound (frame, deliveries, held_by, available_at, account) VALUES (?, 1, ?, 0, ?)",
              JSON.stringify({
                frameMessageId: frame.frameMessageId,
                data: frame.data,
                receivedAt: frame.receivedAt,
              }),
              me,
              account,
            ),
          )
          .pipe(
            Effect.map((result): InboundFrame => ({ ...frame, journalId: String(result.lastInsertRowid) })),
            Effect.mapError(failed),
          ),
      noteCard: (frame) =>
        frame.journalId === undefined
          ? Effect.void
          : database
              .write("journal note card", (sql) =>
                sql.run("UPDATE inbound SET card = 1 WHERE id = ?", Number(frame.journalId)),
              )
              .pipe(Effect.mapError(failed), Effect.asVoid),
      noteMedia: (frame, media) =>
        frame.journalId === undefined
          ? Effect.void
          : database
              .write("journal note media", (sql) =>
                sql.run(
                  "UPDATE inbound SET media = ? WHERE id = ?",
                  encodePendingMedia(media),
                  Number(frame.journalId),
                ),
              )
              .pipe(Effect.mapError(failed), Effect.asVoid),
      // Not waited for: the message is answered, and the deletion commits with or after the dedupe completion
      // queued before it, so a crash in between replays a message the dedupe table already calls done.
      settle: (frame) =>
        Effect.sync(() => {
          if (frame.journalId === undefined) return
          const id = Number(frame.journalId)
          database.writeBehind("journal settle", (sql) => sql.run("DELETE FROM inbound WHERE id = ?", id))
        }),
      release: (frame) =>
        frame.journalId === undefined
          ? Effect.void
          : Effect.flatMap(Clock.currentTimeMillis, (now) =>
              database.write("journal release", (sql) =>
                sql.run(
                  "UPDATE inbound SET held_by = NULL, available_at = ? WHERE id = ? AND held_by = ?",
                  now + leaseMs,
                  Number(frame.journalId),
                  me,
                ),
              ),
            ).pipe(
              Effect.catch((error) =>
                Effect.logWarning(
                  "could not release a journalled message; it comes back on the next start",
                ).pipe(Effect.annotateLogs({ error: error.message })),
              ),
              Effect.asVoid,
            ),
      orphans: Stream.fromEffectSchedule(lookOnce, Schedule.spaced(pollEveryMs)).pipe(Stream.flattenIterable),
    })
  })

export const SqliteInboundJournal = {
  /** Needs a SqliteDatabase. */
  layer: (options: SqliteInboundJournalOptions = {}) =>
    Layer.effect(InboundJournal, makeSqliteInboundJournal(options)),
}
