import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { tokenStoreContract } from "@openpollen/contracts"
import { TokenStore } from "@openpollen/core"
import { FileTokenStore } from "@openpollen/fs"
import { Effect, Logger, Option, Redacted } from "effect"
import { afterAll } from "vitest"

const temps: Array<string> = []
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "openpollen-tokens-"))
  temps.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true })
})

tokenStoreContract("FileTokenStore", () => FileTokenStore.layer({ path: join(tempDir(), "tokens.json") }))

describe("FileTokenStore", () => {
  it.effect("survives a restart and writes a 0600 file", () => {
    const path = join(tempDir(), "state", "tokens.json")
    return Effect.gen(function* () {
      yield* Effect.gen(function* () {
        yield* (yield* TokenStore).set("app", { accessToken: Redacted.make("tok-1"), expiresAt: 42 })
      }).pipe(Effect.provide(FileTokenStore.layer({ path })))
      const token = yield* Effect.gen(function* () {
        return yield* (yield* TokenStore).get("app")
      }).pipe(Effect.provide(FileTokenStore.layer({ path })))
      expect(Option.map(token, (t) => [Redacted.value(t.accessToken), t.expiresAt])).toEqual(
        Option.some(["tok-1", 42]),
      )
      expect(statSync(path).mode & 0o777).toBe(0o600)
    })
  })

  it.effect("defaults to ~/.openpollen/state/tokens.json, read from HOME when the layer is built", () => {
    const home = tempDir()
    const previous = process.env.HOME
    process.env.HOME = home
    return Effect.gen(function* () {
      yield* (yield* TokenStore).set("app", { accessToken: Redacted.make("tok-home"), expiresAt: 7 })
      const saved = JSON.parse(readFileSync(join(home, ".openpollen", "state", "tokens.json"), "utf8"))
      expect(saved).toEqual({ app: { accessToken: "tok-home", expiresAt: 7 } })
    }).pipe(
      Effect.provide(FileTokenStore.layer()),
      Effect.ensuring(Effect.sync(() => (process.env.HOME = previous))),
    )
  })

  it.effect("treats a corrupt file as empty and logs that without its contents", () => {
    const path = join(tempDir(), "tokens.json")
    writeFileSync(path, '{ "app": { "accessToken": "leaked-secret-token", "expiresAt": "soon" }')
    const logged: Array<string> = []
    const capture = Logger.make(({ message }) => {
      logged.push(JSON.stringify(message))
    })
    return Effect.gen(function* () {
      const store = yield* TokenStore
      expect(Option.isNone(yield* store.get("app"))).toBe(true)
      expect(logged.length).toBeGreaterThan(0)
      expect(logged.join("\n")).not.toContain("leaked-secret-token")
      yield* store.set("app", { accessToken: Redacted.make("tok"), expiresAt: 1 })
      expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ app: { accessToken: "tok", expiresAt: 1 } })
    }).pipe(Effect.provide(FileTokenStore.layer({ path })), Effect.provide(Logger.layer([capture])))
  })

  it.effect("leaves no temp file next to the token file", () => {
    const dir = tempDir()
    return Effect.gen(function* () {
      const store = yield* TokenStore
      for (const n of [1, 2, 3])
        yield* store.set(`app-${n}`, { accessToken: Redacted.make(`t${n}`), expiresAt: n })
      yield* store.remove("app-2")
      expect(readFileSync(join(dir, "tokens.json"), "utf8")).not.toContain("t2")
      expect(readdirSync(dir)).toEqual(["tokens.json"])
    }).pipe(Effect.provide(FileTokenStore.layer({ path: join(dir, "tokens.json") })))
  })
})
