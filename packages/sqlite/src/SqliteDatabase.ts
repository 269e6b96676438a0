import { closeSync, mkdirSync, openSync } from "node:fs"
import { dirname } from "node:path"
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import { loadSqlite } from "./loadSqlite.js"
import { SqliteUnavailable } from "./SqliteUnavailable.js"
import { migrate } from "./schema.js"
import { DEFAULT_SQLITE_PATH } from "./sqliteDefaults.js"
import { sqliteFailure } from "./sqliteFailure.js"

export interface SqliteDatabaseConfig {
  /** Default `~/.openpollen/state/openpollen.sqlite`; created `0600` in a `0700` folder. */
  readonly path?: string
  /** How long start-up waits for a file another process holds before failing. Default 2 s. */
  readonly busyTimeoutMs?: number
  /** Writes arriving within this window share one transaction. Default 0: those queued in one event-loop turn. */
  readonly commitWindowMs?: number
}

/** Prepared statements, cached per SQL text. */
export interface Sql {
  readonly run: (
    sql: string,
    ...params: Array<SQLInputValue>
  ) => { readonly changes: number | bigint; readonly lastInsertRowid: number | bigint }
  readonly get: <T>(sql: string, ...params: Array<SQLInputValue>) => T | undefined
  readonly all: <T>(sql: string, ...params: Array<SQLInputValue>) => Array<T>
}

/** One SQLite file, held exclusively by this process for as long as the layer lives. */
export class SqliteDatabase extends Context.Service<
  SqliteDatabase,
  {
    readonly path: string
    /** Runs queries at once, outside any pending write batch. */
    readonly read: <A>(what: string, query: (sql: Sql) => A) => Effect.Effect<A, SqliteUnavailable>
    /**
     * Queues `change` for the next group commit and succeeds once that transaction is durable (against a process
     * crash). A change that throws is rolled back alone; the others of its batch still commit. A change may then run
     * twice (its batch is rolled back and run again change by change): it must only touch the database.
     */
    readonly write: <A>(what: string, change: (sql: Sql) => A) => Effect.Effect<A, SqliteUnavailable>
    /**
     * Queues `change` for the next group commit like `write`, without waiting for it: for what nobody waits on
     * (a row deleted once its message is answered, an advisory route). Changes commit in the order they are queued,
     * so one queued after a `write` never lands before it. A failure is logged; `settled` hears whether it committed.
     */
    readonly writeBehind: (
      what: string,
      change: (sql: Sql) => void,
      settled?: (committed: boolean) => void,
    ) => void
  }
>()("@openpollen/sqlite/SqliteDatabase") {
  static readonly layer = (config: SqliteDatabaseConfig = {}) =>
    Layer.effect(SqliteDatabase, makeSqliteDatabase(config))
}

/** The page cache's bound, in KiB. */
const PAGE_CACHE_KIB = 16_384

const isSqliteError = (error: unknown) =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === "ERR_SQLITE_ERROR"

/** Creates the folder (0700) and the file (0600) so SQLite never makes a world-readable one. */
const prepareFile = (path: string) => {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  closeSync(openSync(path, "a", 0o600))
}

const open = (path: string, busyTimeoutMs: number): DatabaseSync => {
  const { DatabaseSync } = loadSqlite()
  const db = new DatabaseSync(path, { timeout: busyTimeoutMs })
  try {
    // Exclusive before WAL: the WAL index then lives in this process's memory and no other process can open the
    // file, so one bot owns its journal. NORMAL: a commit survives a process crash, not a power loss.
    db.exec("PRAGMA locking_mode = EXCLUSIVE")
    db.exec("PRAGMA journal_mode = WAL")
    db.exec("PRAGMA synchronous = NORMAL")
    // SQLite's default page cache is 2 MB; once the dedupe keys outgrow it, every lookup and insert of a random key
    // reads its page back from the OS (the bench: 8% more CPU per message at 40,000 messages). Pages are cached as
    // they are touched, so a small file costs only its size.
    db.exec(`PRAGMA cache_size = -${PAGE_CACHE_KIB}`)
    const check = db.prepare("PRAGMA quick_check").get() as { quick_check?: string } | undefined
    if (check?.quick_check !== "ok") throw Object.assign(new Error("damaged"), { errcode: 11 })
    if (migrate(db) === "newer") throw Object.assign(new Error("newer schema"), { errcode: 26 })
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

type Outcome =
  | { readonly _tag: "Committed"; readonly value: unknown }
  | { readonly _tag: "Failed"; readonly error: SqliteUnavailable }
  | { readonly _tag: "Threw"; readonly defect: unknown }

interface Pending {
  readonly change: (sql: Sql) => unknown
  readonly what: string
  readonly settle: (outcome: Outcome) => void
  cancelled: boolean
}

export const makeSqliteDatabase = (config: SqliteDatabaseConfig = {}) =>
  Effect.gen(function* () {
    const path = config.path ?? DEFAULT_SQLITE_PATH()
    const commitWindowMs = Math.max(config.commitWindowMs ?? 0, 0)
    const db = yield* Effect.acquireRelease(
      Effect.try({
        try: () => {
          prepareFile(path)
          return open(path, config.busyTimeoutMs ?? 2_000)
        },
        catch: (error) =>
          isSqliteError(error) || (error as { errcode?: unknown }).errcode !== undefined
            ? sqliteFailure(path, "opening", error)
            : new SqliteUnavailable({
                path,
                reason: (error as NodeJS.ErrnoException).code === "EACCES" ? "permission" : "io",
                message: `sqlite store ${path}: cannot create the file or its folder (${(error as NodeJS.ErrnoException).code ?? "error"})`,
              }),
      }),
      (db) => Effect.sync(() => closeNow(db)),
    )

    const statements = new Map<string, StatementSync>()
    const prepare = (text: string) => {
      let statement = statements.get(text)
      if (statement === undefined) {
        statement = db.prepare(text)
        statements.set(text, statement)
      }
      return statement
    }
    const sql: Sql = {
      run: (text, ...params) => prepare(text).run(...params),
      get: <T>(text: string, ...params: Array<SQLInputValue>) =>
        prepare(text).get(...params) as T | undefined,
      all: <T>(text: string, ...params: Array<SQLInputValue>) => prepare(text).all(...params) as Array<T>,
    }

    let queue: Array<Pending> = []
    let timer: ReturnType<typeof setImmediate> | ReturnType<typeof setTimeout> | undefined
    let closed = false
    const runLog = yield* FiberSet.makeRuntime<never, void, never>()

    // The common case: every change of the batch in one transaction, no savepoints (they cost more than a small
    // change). Throws when a change does; the caller then rolls back and runs the batch again one savepoint each.
    const commitTogether = (batch: ReadonlyArray<Pending>): ReadonlyArray<Outcome> => {
      db.exec("BEGIN IMMEDIATE")
      const outcomes = batch.map((pending): Outcome => ({ _tag: "Committed", value: pending.change(sql) }))
      db.exec("COMMIT")
      return outcomes
    }

    const commitEachAlone = (batch: ReadonlyArray<Pending>): ReadonlyArray<Outcome> => {
      const outcomes: Array<Outcome> = []
      db.exec("BEGIN IMMEDIATE")
      for (const pending of batch) {
        db.exec("SAVEPOINT change")
        try {
          outcomes.push({ _tag: "Committed", value: pending.change(sql) })
          db.exec("RELEASE change")
        } catch (error) {
          db.exec("ROLLBACK TO change")
          db.exec("RELEASE change")
          outcomes.push(
            isSqliteError(error)
              ? { _tag: "Failed", error: sqliteFailure(path, pending.what, error) }
              : { _tag: "Threw", defect: error },
          )
        }
      }
      db.exec("COMMIT")
      return outcomes
    }

    const rollBack = () => {
      if (db.isOpen && db.isTransaction) db.exec("ROLLBACK")
    }

    const flush = () => {
      timer = undefined
      const batch = queue.filter((pending) => !pending.cancelled)
      queue = []
      if (batch.length === 0) return
      let outcomes: ReadonlyArray<Outcome>
      try {
        outcomes = commitTogether(batch)
      } catch {
        try {
          rollBack()
          outcomes = commitEachAlone(batch)
        } catch (error) {
          rollBack()
          for (const pending of batch)
            pending.settle({ _tag: "Failed", error: sqliteFailure(path, pending.what, error) })
          return
        }
      }
      for (const [index, pending] of batch.entries())
        pending.settle(outcomes[index] ?? { _tag: "Committed", value: undefined })
    }

    function closeNow(database: DatabaseSync) {
      if (timer !== undefined) {
        clearImmediate(timer as ReturnType<typeof setImmediate>)
        clearTimeout(timer as ReturnType<typeof setTimeout>)
      }
      flush()
      closed = true
      database.close()
    }

    const schedule = () => {
      if (timer !== undefined) return
      timer = commitWindowMs === 0 ? setImmediate(flush) : setTimeout(flush, commitWindowMs)
    }

    const closedError = () =>
      new SqliteUnavailable({ path, reason: "closed", message: `sqlite store ${path}: already closed` })

    const logUnsaved = (what: string, reason: string) =>
      runLog(
        Effect.logWarning("a change to the sqlite store was not saved").pipe(
          Effect.annotateLogs({ what, error: reason }),
        ),
      )

    return SqliteDatabase.of({
      path,
      read: (what, query) =>
        Effect.suspend(() => (closed ? Effect.fail(closedError()) : Effect.void)).pipe(
          Effect.andThen(
            Effect.try({ try: () => query(sql), catch: (error) => sqliteFailure(path, what, error) }),
          ),
        ),
      write: <A>(what: string, change: (sql: Sql) => A) =>
        Effect.callback<A, SqliteUnavailable>((resume) => {
          if (closed) return resume(Effect.fail(closedError()))
          const pending: Pending = {
            change,
            what,
            settle: (outcome) =>
              resume(
                outcome._tag === "Committed"
                  ? Effect.succeed(outcome.value as A)
                  : outcome._tag === "Failed"
                    ? Effect.fail(outcome.error)
                    : Effect.die(outcome.defect),
              ),
            cancelled: false,
          }
          queue.push(pending)
          schedule()
          return Effect.sync(() => {
            pending.cancelled = true
          })
        }),
      writeBehind: (what, change, settled) => {
        if (closed) {
          logUnsaved(what, closedError().message)
          settled?.(false)
          return
        }
        queue.push({
          change,
          what,
          settle: (outcome) => {
            if (outcome._tag === "Failed") logUnsaved(what, outcome.error.message)
            else if (outcome._tag === "Threw") logUnsaved(what, String(outcome.defect))
            settled?.(outcome._tag === "Committed")
          },
          cancelled: false,
        })
        schedule()
      },
    })
  })
