import { type StoredToken, TokenStore, TokenStoreError } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { SqliteDatabase } from "./SqliteDatabase.js"
import type { SqliteUnavailable } from "./SqliteUnavailable.js"

/** Access tokens in the `tokens` table (the file is 0600); values leave `Redacted` only for the INSERT. */
export const makeSqliteTokenStore = Effect.gen(function* () {
  const database = yield* SqliteDatabase
  const failed = (error: SqliteUnavailable) => new TokenStoreError({ message: error.message })

  return TokenStore.of({
    get: (key) =>
      database
        .read("token read", (sql) =>
          sql.get<{ access_token: string; expires_at: number }>(
            "SELECT access_token, expires_at FROM tokens WHERE key = ?",
            key,
          ),
        )
        .pipe(
          Effect.map((row) =>
            row === undefined
              ? Option.none<StoredToken>()
              : Option.some<StoredToken>({
                  accessToken: Redacted.make(row.access_token),
                  expiresAt: row.expires_at,
                }),
          ),
          Effect.mapError(failed),
        ),
    set: (key, token) =>
      database
        .write("token write", (sql) =>
          sql.run(
            "INSERT OR REPLACE INTO tokens (key, access_token, expires_at) VALUES (?, ?, ?)",
            key,
            Redacted.value(token.accessToken),
            token.expiresAt,
          ),
        )
        .pipe(Effect.mapError(failed), Effect.asVoid),
    remove: (key) =>
      database
        .write("token removal", (sql) => sql.run("DELETE FROM tokens WHERE key = ?", key))
        .pipe(Effect.mapError(failed), Effect.asVoid),
  })
})

export const SqliteTokenStore = {
  /** Needs a SqliteDatabase. */
  layer: Layer.effect(TokenStore, makeSqliteTokenStore),
}
