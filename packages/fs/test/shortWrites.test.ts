import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { open } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { storeInto } from "@openpollen/fs"
import { Effect, Stream } from "effect"
import { afterAll } from "vitest"

const temps: Array<string> = []
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true })
})
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "openpollen-fs-short-"))
  temps.push(dir)
  return dir
}

/** A real file handle whose writes take at most `limit` bytes each, as a write to a nearly full disk may. */
const shortWriting = (limit: number) => async (path: string) => {
  const handle = await open(path, "wx", 0o600)
  return {
    write: (buffer: Uint8Array, offset = 0, length = buffer.length - offset) =>
      handle.write(buffer, offset, Math.min(length, limit)),
    close: () => handle.close(),
  }
}

const bytes = Uint8Array.from({ length: 1_000 }, (_, index) => (index * 7) % 256)

describe("LocalFileStore with writes that take only part of a chunk", () => {
  it.effect("writes the rest, so the stored file holds every byte", () =>
    Effect.gen(function* () {
      const root = tempDir()
      const store = storeInto(root, 1_000_000, shortWriting(3))
      const stored = yield* store({ bytes: Stream.make(bytes.subarray(0, 400), bytes.subarray(400)) })
      expect(new Uint8Array(readFileSync(stored.path))).toEqual(bytes)
      expect(stored.bytes).toBe(bytes.length)
    }),
  )

  it.effect("fails a write that makes no progress, and leaves nothing behind", () =>
    Effect.gen(function* () {
      const root = tempDir()
      const store = storeInto(root, 1_000_000, shortWriting(0))
      const error = yield* Effect.flip(store({ bytes: Stream.make(bytes) }))
      expect(error).toMatchObject({ _tag: "FileStoreError", reason: "io" })
      expect(readdirSync(root)).toEqual([])
    }),
  )
})
