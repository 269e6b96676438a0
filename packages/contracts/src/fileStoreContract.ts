import { describe, expect, it } from "@effect/vitest"
import { FileStore } from "@openpollen/core"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

export interface FileStoreHarness<E> {
  readonly layer: Layer.Layer<FileStore, E>
  /** The folder every stored file must be inside. */
  readonly root: string
  /** The size cap the layer was built with. */
  readonly maxBytes: number
  /** Reads a stored file back. */
  readonly read: (path: string) => Promise<Uint8Array>
}

const chunks = (size: number, chunkSize = 64 * 1024) =>
  Stream.fromIterable(
    Array.from({ length: Math.ceil(size / chunkSize) }, (_, index) =>
      new Uint8Array(Math.min(chunkSize, size - index * chunkSize)).fill(index % 251),
    ),
  )

/** Stores streamed bytes under generated names inside the root, and refuses anything over the cap. */
export const fileStoreContract = <E>(name: string, makeHarness: () => FileStoreHarness<E>) =>
  describe(`FileStore contract: ${name}`, () => {
    it.effect("stores the bytes under an absolute path inside the root", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const bytes = new Uint8Array([1, 2, 3, 4, 5])
        const stored = yield* (yield* FileStore).store({ bytes: Stream.make(bytes) })
        expect(stored.path.startsWith(harness.root)).toBe(true)
        expect(stored.bytes).toBe(5)
        expect(yield* Effect.promise(() => harness.read(stored.path))).toEqual(bytes)
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("gives every file its own name, whatever the hints say", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const store = yield* FileStore
        const hostile = ["../../x", "/etc/passwd", "a".repeat(500), "mIo/N+zo"]
        const paths = new Set<string>()
        for (const hint of hostile) {
          const stored = yield* store.store({
            bytes: Stream.make(new Uint8Array([7])),
            extensionHint: hint,
            contentType: hint,
          })
          expect(stored.path.startsWith(harness.root)).toBe(true)
          expect(stored.path).not.toContain("..")
          expect(stored.path).not.toContain("passwd")
          paths.add(stored.path)
        }
        expect(paths.size).toBe(hostile.length)
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("refuses a stream over the size cap", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const result = yield* (yield* FileStore)
          .store({ bytes: chunks(harness.maxBytes + 1) })
          .pipe(Effect.flip)
        expect(result).toMatchObject({ _tag: "FileStoreError", reason: "too-large" })
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("releases each chunk once written, and never reads a released chunk", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const size = Math.min(harness.maxBytes, 200 * 1024 + 17)
        const expected: Array<number> = []
        const sent = Stream.map(chunks(size), (chunk) => {
          for (const byte of chunk) expected.push(byte)
          return chunk
        })
        let released = 0
        const stored = yield* (yield* FileStore).store({
          bytes: sent,
          // A released chunk is scribbled over: a store that read it again would store the scribble.
          release: (chunk) => {
            released += 1
            chunk.fill(0xee)
          },
        })
        expect(released).toBe(Math.ceil(size / (64 * 1024)))
        expect([...(yield* Effect.promise(() => harness.read(stored.path)))]).toEqual(expected)
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("passes a failure of the byte stream through", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const failing = Stream.concat(
          Stream.make(new Uint8Array([1])),
          Stream.fail("network dropped" as const),
        )
        expect(yield* (yield* FileStore).store({ bytes: failing }).pipe(Effect.flip)).toBe("network dropped")
      }).pipe(Effect.provide(harness.layer))
    })
  })
