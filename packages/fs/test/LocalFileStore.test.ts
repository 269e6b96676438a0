import {
  lutimesSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { fileStoreContract } from "@openpollen/contracts"
import { FileStore } from "@openpollen/core"
import { LocalFileStore, sweepUploads } from "@openpollen/fs"
import { Effect, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
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

/** Polls real time (the TestClock does not move on its own) until the disk shows the expected state. */
const waitFor = (condition: () => boolean, timeoutMs = 10_000) =>
  Effect.promise(async () => {
    const deadline = Date.now() + timeoutMs
    while (!condition()) {
      if (Date.now() > deadline) throw new Error("condition not met before the deadline")
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  })

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
    const ancient = "1700000000000-00000000000000a1.png"
    const old = "1700000000001-00000000000000b2.png"
    const middle = "1700000000002-00000000000000c3.png"
    const recent = "1700000000003-00000000000000d4.png"
    const partial = ".1700000000004-00000000000000e5.part"
    file(ancient, 10, 30)
    file(old, 400, 3)
    file(middle, 400, 2)
    file(recent, 400, 1)
    file(partial, 5_000, 0)
    return Effect.gen(function* () {
      const removed = yield* sweepUploads(root, { maxAgeMs: 7 * 86_400_000, maxTotalBytes: 900 })
      expect(removed.map((path) => path.slice(root.length + 1)).sort()).toEqual([ancient, old])
      expect(readdirSync(root).sort()).toEqual([partial, middle, recent])
    })
  })

  it.effect("retention deletes only files this store wrote, and never follows a symlink", () => {
    const root = tempDir()
    const outside = tempDir()
    const age = (path: string, days: number) => {
      const time = (Date.now() - days * 86_400_000) / 1000
      utimesSync(path, time, time)
    }
    const keep = ["id_rsa", "report.pdf", "1700000000000-notgenerated.png", "notes"]
    for (const name of keep) {
      writeFileSync(join(root, name), "operator's file")
      age(join(root, name), 60)
    }
    writeFileSync(join(outside, "precious.txt"), "outside the folder")
    age(join(outside, "precious.txt"), 60)
    const link = "1700000000000-00000000000000f6.png"
    symlinkSync(join(outside, "precious.txt"), join(root, link))
    lutimesSync(
      join(root, link),
      (Date.now() - 60 * 86_400_000) / 1000,
      (Date.now() - 60 * 86_400_000) / 1000,
    )
    const mine = "1700000000001-0123456789abcdef.jpg"
    writeFileSync(join(root, mine), "downloaded")
    age(join(root, mine), 60)
    return Effect.gen(function* () {
      const removed = yield* sweepUploads(root, { maxAgeMs: 7 * 86_400_000, maxTotalBytes: 0 })
      expect(removed).toEqual([join(root, mine)])
      expect(readdirSync(root).sort()).toEqual([...keep, link].sort())
      expect(readdirSync(outside)).toEqual(["precious.txt"])
    })
  })

  it.effect("an interrupted download leaves no file and no temp file", () => {
    const root = tempDir()
    return Effect.gen(function* () {
      const store = yield* FileStore
      const stalled = Stream.concat(Stream.make(PNG), Stream.never)
      const fiber = yield* Effect.forkChild(store.store({ bytes: stalled }))
      yield* waitFor(() => readdirSync(root).some((name) => name.endsWith(".part")))
      yield* Fiber.interrupt(fiber)
      expect(readdirSync(root)).toEqual([])
    }).pipe(Effect.provide(LocalFileStore.layer({ root })))
  })

  it.effect("sniffs the type across tiny first chunks and streams every byte to disk", () => {
    const root = tempDir()
    const webp = [...new TextEncoder().encode("RIFF"), 9, 0, 0, 0, ...new TextEncoder().encode("WEBPVP8 ")]
    return Effect.gen(function* () {
      const chunks = webp.map((byte) => new Uint8Array([byte]))
      const stored = yield* (yield* FileStore).store({ bytes: Stream.fromIterable(chunks) })
      expect(stored.path.endsWith(".webp")).toBe(true)
      expect(stored.bytes).toBe(webp.length)
      expect([...readFileSync(stored.path)]).toEqual(webp)
    }).pipe(Effect.provide(LocalFileStore.layer({ root })))
  })

  it.effect("runs retention at start and again on every interval of the Clock", () => {
    const root = tempDir()
    const hour = 3_600_000
    const now = Date.now()
    const aged = (name: string, ageMs: number) => {
      const path = join(root, name)
      writeFileSync(path, new Uint8Array(4))
      utimesSync(path, (now - ageMs) / 1000, (now - ageMs) / 1000)
    }
    const expired = "1700000000000-0000000000000aa1.png"
    const expiring = "1700000000001-0000000000000bb2.png"
    aged(expired, 25 * hour)
    aged(expiring, 23 * hour)
    return Effect.gen(function* () {
      yield* TestClock.setTime(now)
      yield* Effect.gen(function* () {
        yield* FileStore
        yield* waitFor(() => !readdirSync(root).includes(expired))
        expect(readdirSync(root)).toEqual([expiring])
        yield* TestClock.adjust(2 * hour)
        yield* waitFor(() => readdirSync(root).length === 0)
      }).pipe(
        Effect.provide(
          LocalFileStore.layer({ root, retention: { maxAgeDays: 1, sweepIntervalMs: 2 * hour } }),
        ),
      )
    })
  })
})
