import * as Predicate from "effect/Predicate"
import { SqliteUnavailable } from "./SqliteUnavailable.js"

const ADVICE: Record<SqliteUnavailable["reason"], string> = {
  locked:
    "another process holds it (is another openpollen running on this file?); stop it, or give this bot its own store.path",
  corrupt:
    "it is not a readable SQLite database; move it aside (unanswered messages and history in it are lost) and start again, or point store.path elsewhere",
  permission: "this user cannot read and write it or its folder; fix the ownership or mode (0600)",
  full: "the disk is full; free space and start again",
  io: "the disk reported an error; check the disk and the file",
  closed: "the store was already shut down",
}

/** SQLite's primary result codes that name a cause (the low byte of an extended code). */
const REASONS: Record<number, SqliteUnavailable["reason"]> = {
  5: "locked",
  6: "locked",
  11: "corrupt",
  26: "corrupt",
  3: "permission",
  8: "permission",
  14: "permission",
  13: "full",
}

/** Translates a driver error into a SqliteUnavailable naming the file and what to do; only codes are read. */
export const sqliteFailure = (path: string, what: string, error: unknown): SqliteUnavailable => {
  const code =
    Predicate.hasProperty(error, "errcode") && typeof error.errcode === "number" ? error.errcode : 0
  const reason = REASONS[code & 0xff] ?? "io"
  return new SqliteUnavailable({
    path,
    reason,
    message: `sqlite store ${path}: ${what} failed (${reason}): ${ADVICE[reason]}`,
  })
}
