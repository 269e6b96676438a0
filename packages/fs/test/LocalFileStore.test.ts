import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { fileStoreContract, tokenStoreContract } from "@openpollen/contracts"
import { FileStore, TokenStore } from "@openpollen/core"
import { chooseExtension, FileTokenStore, LocalFileStore, sweepUploads } from "@openpollen/fs"
import { Effect, Option, Redacted, Stream } from "effect"
import { afterAll } from "vitest"

const temps: Array<string> = []
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "openpollen-fs-"))
  temps.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true })
})

fileStoreContract("LocalFileStore", () => {
  const root = tempDir()
  return {
    layer: LocalFileStore.layer({ root, maxBytes: 256 * 1024 }),
    root,
    maxBytes: 256 * 1024,
    read: async (path) => new Uint8Array(readFileSync(path)),
  }
})
tokenStoreContract("FileTokenStore", () => FileTokenStore.layer({ path: join(tempDir(), "tokens.json") }))

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])

describe("LocalFileStore", () => {
  it.effect("defaults to ~/.openpollen/sdk-workspace/uploads, read from HOME", () => {
    const home = tempDir()
    const previous = process.env.HOME
    process.env.HOME = home
    return Effect.gen(function* () {
      const stored = yield* (yield* FileStore).store({ bytes: Stream.make(PNG) })
      expect(stored.path.startsWith(join(home, ".openpollen", "sdk-workspace", "uploads"))).toBe(true)
      expect(stored.path.endsWith(".png")).toBe(true)
    }).pipe(
      Effect.provide(LocalFileStore.layer()),
      Effect.ensuring(Effect.sync(() => (process.env.HOME = previous))),
    )
  })

  it("names files from their bytes first, then the content type, then a safe hint", () => {
    expect(chooseExtension(PNG, "image/jpeg")).toBe("png")
    expect(chooseExtension(new Uint8Array([1, 2, 3]), "image/jpeg; charset=x")).toBe("jpg")
    expect(chooseExtension(new Uint8Array([1]), undefined, "xlsx")).toBe("xlsx")
    expect(chooseExtension(new Uint8Array([0x50, 0x4b, 0x03, 0x04]), undefined, "docx")).toBe("docx")
    expect(chooseExtension(new Uint8Array([1]), "text/html", "../../x")).toBe("bin")
    expect(chooseExtension(new Uint8Array([1]), undefined, "a".repeat(500))).toBe("bin")
  })

  it.effect("leaves no file and no temp file behind when the stream fails or is over the cap", () => {
    const root = tempDir()
    return Effect.gen(function* () {
      const store = yield* FileStore
      const failing = Stream.concat(Stream.make(PNG), Stream.fail("connection reset" as const))
      expect(yield* store.store({ bytes: failing }).pipe(Effect.flip)).toBe("connection reset")
      const big = Stream.make(new Uint8Array(600), new Uint8Array(600))
      expect(yield* store.store({ bytes: big }).pipe(Effect.flip)).toMatchObject({ reason: "too-large" })
      expect(readdirSync(root)).toEqual([])
    }).pipe(Effect.provide(LocalFileStore.layer({ root, maxBytes: 1_000 })))
  })

  it.effect("keeps hostile hints and content types out of the path", () => {
    const root = tempDir()
    return Effect.gen(function* () {
      const store = yield* FileStore
      for (const hostile of ["../../x", "/etc/passwd", "x".repeat(500), "mIo/N+zo"]) {
        const stored = yield* store.store({
          bytes: Stream.make(new Uint8Array([9])),
          extensionHint: hostile,
          contentType: hostile,
        })
        expect(stored.path.startsWith(`${root}/`)).toBe(true)
        expect(stored.path.slice(root.length + 1)).toMatch(/^\d+-[0-9a-f]{16}\.bin$/)
      }
      expect(statSync(root).mode & 0o777).toBe(0o700)
    }).pipe(Effect.provide(LocalFileStore.layer({ root })))
  })

  it.effect("retention removes old files, then the oldest until under the total cap", () => {
    const root = tempDir()
    const now = Date.now()
    const file = (name: string, size: number, ageDays: number) => {
      const path = join(root, name)
      writeFileSync(path, new Uint8Array(size))
      const time = (now - ageDays * 86_400_000) / 1000
      utimesSync(path, time, time)
    }
    file("ancient.png", 10, 30)
    file("old.png", 400, 3)
    file("middle.png", 400, 2)
    file("new.png", 400, 1)
    return Effect.gen(function* () {
      const removed = yield* sweepUploads(root, { maxAgeMs: 7 * 86_400_000, maxTotalBytes: 900 })
      expect(removed.map((path) => path.slice(root.length + 1)).sort()).toEqual(["ancient.png", "old.png"])
      expect(readdirSync(root).sort()).toEqual(["middle.png", "new.png"])
    })
  })
})

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

  it.effect("treats a corrupt file as empty", () => {
    const path = join(tempDir(), "tokens.json")
    writeFileSync(path, "{ not json")
    return Effect.gen(function* () {
      const store = yield* TokenStore
      expect(Option.isNone(yield* store.get("app"))).toBe(true)
      yield* store.set("app", { accessToken: Redacted.make("tok"), expiresAt: 1 })
      expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ app: { accessToken: "tok", expiresAt: 1 } })
    }).pipe(Effect.provide(FileTokenStore.layer({ path })))
  })
})
