import type { DatabaseSync } from "node:sqlite"

/** Each entry moves the file from version `index` to `index + 1` (PRAGMA user_version). */
const MIGRATIONS: ReadonlyArray<string> = [
  `
  CREATE TABLE inbound (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    frame TEXT NOT NULL,
    deliveries INTEGER NOT NULL,
    held_by TEXT,
    available_at INTEGER NOT NULL
  );
  CREATE TABLE dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    journal_id TEXT NOT NULL,
    frame TEXT NOT NULL,
    deliveries INTEGER NOT NULL,
    dead_at INTEGER NOT NULL
  );
  CREATE TABLE dedupe (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE INDEX dedupe_expiry ON dedupe (expires_at);
  CREATE TABLE routes (
    key TEXT PRIMARY KEY,
    session_webhook TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX routes_expiry ON routes (expires_at);
  CREATE TABLE tokens (key TEXT PRIMARY KEY, access_token TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE sessions (session_key TEXT PRIMARY KEY, touched_at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE INDEX sessions_touched ON sessions (touched_at);
  CREATE TABLE turns (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    session_key TEXT NOT NULL,
    role TEXT NOT NULL,
    text TEXT NOT NULL
  );
  CREATE INDEX turns_session ON turns (session_key, seq);
  `,
  // 1 when an AI card was opened for the message, so the next holder can close it if it answers otherwise.
  "ALTER TABLE inbound ADD COLUMN card INTEGER NOT NULL DEFAULT 0;",
  // The robot (account) a received message belongs to: the accounts of one process share the file.
  `
  ALTER TABLE inbound ADD COLUMN account TEXT NOT NULL DEFAULT 'default';
  ALTER TABLE dead_letters ADD COLUMN account TEXT NOT NULL DEFAULT 'default';
  `,
  // The media an answer still had to send once its text went out (JSON), so the next holder sends only those.
  "ALTER TABLE inbound ADD COLUMN media TEXT;",
]

export const SCHEMA_VERSION = MIGRATIONS.length

/** Brings the file to SCHEMA_VERSION in one transaction; a file from a newer release is refused, not touched. */
export const migrate = (db: DatabaseSync): "ok" | "newer" => {
  db.exec("BEGIN IMMEDIATE")
  try {
    const row = db.prepare("PRAGMA user_version").get() as { user_version: number }
    if (row.user_version > SCHEMA_VERSION) {
      db.exec("ROLLBACK")
      return "newer"
    }
    for (const migration of MIGRATIONS.slice(row.user_version)) db.exec(migration)
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
    db.exec("COMMIT")
    return "ok"
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK")
    throw error
  }
}
