import * as Schema from "effect/Schema"

/**
 * The database file could not be used. `path` is the file; `reason` says what to do about it: `locked` (another
 * process holds it), `corrupt` (not a database, or damaged), `permission`, `full` (disk), `io`, `closed` (the layer
 * was shut down).
 */
export class SqliteUnavailable extends Schema.TaggedError<SqliteUnavailable>()("SqliteUnavailable", {
  path: Schema.String,
  reason: Schema.Literals(["locked", "corrupt", "permission", "full", "io", "closed"]),
  message: Schema.String,
}) {}
