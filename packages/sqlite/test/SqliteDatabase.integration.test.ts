import { spawn, spawnSync } from "node:child_process"
import { mkdirSync, statSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { createInterface } from "node:readline"
import { describe, expect, it } from "@effect/vitest"
import { type Sql, SqliteDatabase } from "@openpollen/sqlite"
import { Effect, Exit } from "effect"
import { tempDatabasePath } from "./tempFile.js"

const build = (path: string, busyTimeoutMs = 100) =>
  Effect.gen(function* () {
    return yield* SqliteDatabase
  }).pipe(Effect.provide(SqliteDatabase.layer({ path, busyTimeoutMs })))

const insertToken = (key: string) => (sql: Sql) =>
  void sql.run("INSERT INTO tokens (key, access_token, expires_at) VALUES (?, 'x', 1)", key)

describe("SqliteDatabase", () => {
  it.live("creates the file 0600 in a 0700 folder, in WAL mode, with a 16 MB page cache", () =>
    Effect.gen(function* () {
      const path = tempDatabasePath()
      const [mode, cache] = yield* Effect.gen(function* () {
        const database = yield* SqliteDatabase
        return yield* database.read(
          "mode",
          (sql) =>
            [
              sql.get<{ journal_mode: string }>("PRAGMA journal_mode"),
              sql.get<{ cache_size: number }>("PRAGMA cache_size"),
            ] as const,
        )
      }).pipe(Effect.provide(SqliteDatabase.layer({ path })))
      expect(mode?.journal_mode).toBe("wal")
      // Negative: KiB rather than pages.
      expect(cache?.cache_size).toBe(-16_384)
      expect(statSync(path).mode & 0o777).toBe(0o600)
      expect(statSync(dirname(path)).mode & 0o777).toBe(0o700)
    }),
  )

  it.live("commits writes of one tick together; a change that throws is rolled back alone", () =>
    Effect.gen(function* () {
      const path = tempDatabasePath()
      const results = yield* Effect.gen(function* () {
        const database = yield* SqliteDatabase
        const writes = Array.from({ length: 50 }, (_, index) =>
          database.write("token", (sql) => {
            sql.run("INSERT INTO tokens (key, access_token, expires_at) VALUES (?, 'x', 1)", `k${index}`)
            if (index === 7) sql.run("INSERT INTO no_such_table VALUES (1)")
            return index
          }),
        )
        return yield* Effect.all(writes.map(Effect.result), { concurrency: "unbounded" })
      }).pipe(Effect.provide(SqliteDatabase.layer({ path })))
      expect(results.filter((result) => result._tag === "Failure")).toHaveLength(1)
      const count = yield* Effect.gen(function* () {
        const database = yield* SqliteDatabase
        return yield* database.read(
          "count",
          (sql) => sql.get<{ n: number }>("SELECT count(*) AS n FROM tokens")?.n,
        )
      }).pipe(Effect.provide(SqliteDatabase.layer({ path })))
      expect(count).toBe(49)
    }),
  )

  it.live(
    "writes behind in queue order without waiting; a failed one is reported to its caller and the others commit",
    () =>
      Effect.gen(function* () {
        const path = tempDatabasePath()
        const heard: Array<string> = []
        const count = yield* Effect.gen(function* () {
          const database = yield* SqliteDatabase
          database.writeBehind("first", insertToken("a"), (committed) => heard.push(`first ${committed}`))
          database.writeBehind(
            "broken",
            (sql) => void sql.run("INSERT INTO no_such_table VALUES (1)"),
            (committed) => heard.push(`broken ${committed}`),
          )
          const before = yield* database.read(
            "count",
            (sql) => sql.get<{ n: number }>("SELECT count(*) AS n FROM tokens")?.n,
          )
          expect(before).toBe(0)
          expect(heard).toEqual([])
          // A write queued after them commits after them.
          yield* database.write("last", insertToken("b"))
          return yield* database.read(
            "count",
            (sql) => sql.get<{ n: number }>("SELECT count(*) AS n FROM tokens")?.n,
          )
        }).pipe(Effect.provide(SqliteDatabase.layer({ path })))
        expect(heard).toEqual(["first true", "broken false"])
        expect(count).toBe(2)
      }),
  )

  it.live("commits what was written behind when it closes, and refuses it after", () =>
    Effect.gen(function* () {
      const path = tempDatabasePath()
      const heard: Array<boolean> = []
      const database = yield* Effect.gen(function* () {
        const database = yield* SqliteDatabase
        database.writeBehind("at close", insertToken("a"), (committed) => heard.push(committed))
        return database
      }).pipe(Effect.provide(SqliteDatabase.layer({ path })))
      database.writeBehind("after close", insertToken("b"), (committed) => heard.push(committed))
      expect(heard).toEqual([true, false])
      const keys = yield* Effect.gen(function* () {
        const reopened = yield* SqliteDatabase
        return yield* reopened.read("keys", (sql) => sql.all<{ key: string }>("SELECT key FROM tokens"))
      }).pipe(Effect.provide(SqliteDatabase.layer({ path })))
      expect(keys.map((row) => row.key)).toEqual(["a"])
    }),
  )

  it.live("refuses a file of garbage bytes with an error naming the file and what to do", () =>
    Effect.gen(function* () {
      const path = tempDatabasePath()
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, Buffer.from(Array.from({ length: 8192 }, (_, index) => (index * 37) % 256)))
      const exit = yield* build(path).pipe(Effect.exit)
      expect(Exit.isFailure(exit)).toBe(true)
      const error = Exit.isFailure(exit) ? exit.cause.toString() : ""
      expect(error).toContain(path)
      expect(error).toContain("corrupt")
      expect(error).toContain("move it aside")
    }),
  )

  it.live("refuses a file another process holds with an exclusive lock, and opens it once released", () =>
    Effect.gen(function* () {
      const path = tempDatabasePath()
      yield* build(path)
      const holder = spawn(
        process.execPath,
        [
          "--no-warnings",
          "--input-type=module",
          "-e",
          `import { DatabaseSync } from "node:sqlite"
           const db = new DatabaseSync(${JSON.stringify(path)})
           db.exec("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE")
           console.log("locked")
           setInterval(() => {}, 1000)`,
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      )
      yield* Effect.addFinalizer(() => Effect.sync(() => holder.kill("SIGKILL")))
      yield* Effect.promise(
        () =>
          new Promise<void>((resolve) =>
            createInterface({ input: holder.stdout }).once("line", () => resolve()),
          ),
      )
      const exit = yield* build(path).pipe(Effect.exit)
      const error = Exit.isFailure(exit) ? exit.cause.toString() : ""
      expect(error).toContain(path)
      expect(error).toContain("locked")
      expect(error).toContain("another process holds it")
      holder.kill("SIGKILL")
      yield* Effect.promise(() => new Promise((resolve) => holder.once("exit", resolve)))
      expect(Exit.isSuccess(yield* build(path).pipe(Effect.exit))).toBe(true)
    }).pipe(Effect.scoped),
  )

  it("loads node:sqlite without printing its ExperimentalWarning, and lets other warnings through", () => {
    const child = spawnSync(
      process.execPath,
      [
        "--conditions=@openpollen/source",
        "--experimental-strip-types",
        "--input-type=module",
        "-e",
        `const { loadSqlite } = await import(${JSON.stringify(new URL("../src/loadSqlite.ts", import.meta.url).pathname)})
         loadSqlite()
         process.emitWarning("another experiment", "ExperimentalWarning")`,
      ],
      { encoding: "utf8" },
    )
    expect(child.status).toBe(0)
    expect(child.stderr).not.toContain("SQLite is an experimental feature")
    expect(child.stderr).toContain("another experiment")
  })
})
