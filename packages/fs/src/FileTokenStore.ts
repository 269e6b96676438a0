import { randomBytes } from "node:crypto"
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises"
import { homedir } from "node:os"
import { dirname, join } from "node:path"
import { type StoredToken, TokenStore, TokenStoreError } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Semaphore from "effect/Semaphore"

export interface FileTokenStoreConfig {
  /** Default `~/.openpollen/state/tokens.json` (HOME read when the layer is built). */
  readonly path?: string
}

const TokenFile = Schema.Record(
  Schema.String,
  Schema.Struct({ accessToken: Schema.String, expiresAt: Schema.Number }),
)

const failure = (what: string) => () => new TokenStoreError({ message: `token file: ${what} failed` })

/** Access tokens kept in a 0600 JSON file, so a restart does not fetch a token that is still valid. */
export const makeFileTokenStore = (config: FileTokenStoreConfig = {}) =>
  Effect.gen(function* () {
    const path = config.path ?? join(homedir(), ".openpollen", "state", "tokens.json")
    const lock = yield* Semaphore.make(1)
    let cache: Map<string, StoredToken> | undefined

    const load = Effect.gen(function* () {
      if (cache !== undefined) return cache
      const text = yield* Effect.tryPromise({
        try: () =>
          readFile(path, "utf8").catch((error: NodeJS.ErrnoException) =>
            error.code === "ENOENT" ? "{}" : Promise.reject(error),
          ),
        catch: failure("reading"),
      })
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch {
        parsed = undefined
      }
      const decoded = Schema.decodeUnknownResult(TokenFile)(parsed)
      if (Result.isFailure(decoded))
        yield* Effect.logWarning("token file is unreadable; starting without cached tokens")
      const entries = Result.isSuccess(decoded) ? Object.entries(decoded.success) : []
      cache = new Map(
        entries.map(([key, token]) => [
          key,
          { accessToken: Redacted.make(token.accessToken), expiresAt: token.expiresAt },
        ]),
      )
      return cache
    })

    const persist = (tokens: Map<string, StoredToken>) =>
      Effect.tryPromise({
        try: async () => {
          await mkdir(dirname(path), { recursive: true, mode: 0o700 })
          const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`
          const body = Object.fromEntries(
            [...tokens].map(([key, token]) => [
              key,
              { accessToken: Redacted.value(token.accessToken), expiresAt: token.expiresAt },
            ]),
          )
          try {
            await writeFile(temp, JSON.stringify(body), { mode: 0o600 })
            await rename(temp, path)
          } catch (error) {
            await rm(temp, { force: true })
            throw error
          }
        },
        catch: failure("writing"),
      })

    return TokenStore.of({
      get: (key) => lock.withPermit(Effect.map(load, (tokens) => Option.fromNullishOr(tokens.get(key)))),
      set: (key, token) =>
        lock.withPermit(
          Effect.flatMap(load, (tokens) => {
            tokens.set(key, token)
            return persist(tokens)
          }),
        ),
      remove: (key) =>
        lock.withPermit(
          Effect.flatMap(load, (tokens) => {
            tokens.delete(key)
            return persist(tokens)
          }),
        ),
    })
  })

export const FileTokenStore = {
  layer: (config: FileTokenStoreConfig = {}) => Layer.effect(TokenStore, makeFileTokenStore(config)),
}
