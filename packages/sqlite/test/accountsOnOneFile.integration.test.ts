import { describe, expect, it } from "@effect/vitest"
import { DeadLetters, type InboundFrame, InboundJournal } from "@openpollen/core"
import { SqliteDatabase, SqliteDeadLetters, SqliteInboundJournal } from "@openpollen/sqlite"
import { Effect, Layer, Stream } from "effect"
import { tempDatabasePath } from "./tempFile.js"

const frame = (msgId: string): InboundFrame => ({
  frameMessageId: `f-${msgId}`,
  data: { msgId, conversationId: "cidShared==" },
  receivedAt: 1,
})

/** One process's journal and dead letters of `account`, on its own handle of the file. */
const accountOn = (path: string, account: string, maxDeliveries = 5) =>
  Layer.mergeAll(
    SqliteInboundJournal.layer({ pollEveryMs: 25, leaseMs: 10, maxDeliveries, account }),
    SqliteDeadLetters.layerOf({ account }),
  ).pipe(Layer.provide(SqliteDatabase.layer({ path })))

const recordAndDie = (path: string, account: string, msgId: string) =>
  Effect.gen(function* () {
    yield* (yield* InboundJournal).record(frame(msgId))
  }).pipe(Effect.provide(accountOn(path, account)))

const replay = (path: string, account: string, count: number) =>
  Effect.gen(function* () {
    const taken = yield* (yield* InboundJournal).orphans.pipe(
      Stream.take(count),
      Stream.runCollect,
      Effect.timeout("2 seconds"),
    )
    return taken.map((found) => (found.data as { msgId: string }).msgId)
  }).pipe(Effect.provide(accountOn(path, account)))

describe("SqliteInboundJournal with several accounts on one file", () => {
  it.live("hands each account only its own unanswered messages on the next start", () =>
    Effect.gen(function* () {
      const path = tempDatabasePath()
      yield* recordAndDie(path, "default", "m-default")
      yield* recordAndDie(path, "sales", "m-sales-1")
      yield* recordAndDie(path, "sales", "m-sales-2")
      expect(yield* replay(path, "sales", 2)).toEqual(["m-sales-1", "m-sales-2"])
      expect(yield* replay(path, "default", 1)).toEqual(["m-default"])
      const nothingElse = yield* replay(path, "support", 1).pipe(Effect.flip)
      expect(nothingElse._tag).toBe("TimeoutError")
    }),
  )

  it.live("keeps dead letters per account: one account cannot list, retry or drop another's", () =>
    Effect.gen(function* () {
      const path = tempDatabasePath()
      yield* Effect.gen(function* () {
        yield* (yield* InboundJournal).record(frame("m-dies"))
      }).pipe(Effect.provide(accountOn(path, "sales", 1)))
      // The next start of "sales" takes it a second time, past maxDeliveries 1: a dead letter.
      const dead = yield* Effect.gen(function* () {
        yield* (yield* InboundJournal).orphans.pipe(
          Stream.runDrain,
          Effect.timeout("300 millis"),
          Effect.ignore,
        )
        return yield* (yield* DeadLetters).list(10)
      }).pipe(Effect.provide(accountOn(path, "sales", 1)))
      expect(dead.map((letter) => letter.msgId)).toEqual(["m-dies"])
      const id = dead[0]?.id ?? ""
      const other = yield* Effect.gen(function* () {
        const letters = yield* DeadLetters
        return {
          count: yield* letters.count,
          retried: yield* letters.retry(id),
          dropped: yield* letters.drop(id),
        }
      }).pipe(Effect.provide(accountOn(path, "default")))
      expect(other).toEqual({ count: 0, retried: false, dropped: false })
      const retried = yield* Effect.gen(function* () {
        return yield* (yield* DeadLetters).retry(id)
      }).pipe(Effect.provide(accountOn(path, "sales")))
      expect(retried).toBe(true)
      expect(yield* replay(path, "sales", 1)).toEqual(["m-dies"])
    }),
  )
})
