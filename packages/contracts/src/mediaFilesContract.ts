import { describe, expect, it } from "@effect/vitest"
import { MediaFiles } from "@openpollen/core"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

export interface MediaFilesHarness<E> {
  readonly layer: Layer.Layer<MediaFiles, E>
  /** Writes a file inside the allowed folders; returns the path an answer would name. */
  readonly addFile: (name: string, bytes: Uint8Array) => Promise<string>
  /** A path inside the allowed folders with no file behind it. */
  readonly missingPath: () => Promise<string>
  /** A readable file outside every allowed folder. */
  readonly outsidePath: () => Promise<string>
}

const collect = (stream: Stream.Stream<Uint8Array, unknown>) =>
  Effect.map(Stream.runCollect(stream), (chunks) => new Uint8Array(Buffer.concat(chunks)))

/** MediaFiles serves files inside its folders, with their size, and refuses the rest with the file name only. */
export const mediaFilesContract = <E>(name: string, makeHarness: () => MediaFilesHarness<E>) =>
  describe(`MediaFiles contract: ${name}`, () => {
    it.effect("resolves a file inside the folders: its name, its size and exactly its bytes", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const bytes = Uint8Array.from({ length: 200_000 }, (_, index) => (index * 7) % 256)
        const path = yield* Effect.promise(() => harness.addFile("报告.pdf", bytes))
        const file = yield* (yield* MediaFiles).resolve(path)
        expect(file.fileName).toBe("报告.pdf")
        expect(file.bytes).toBe(bytes.length)
        expect(yield* collect(file.read)).toEqual(bytes)
        expect(yield* collect(file.read)).toHaveLength(bytes.length)
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("refuses a file outside the folders, naming only the file", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const path = yield* Effect.promise(harness.outsidePath)
        const error = yield* (yield* MediaFiles).resolve(path).pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "MediaFileRefused", reason: "outside" })
        expect(error.message).not.toContain(path)
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("says a missing file inside the folders is missing", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const path = yield* Effect.promise(harness.missingPath)
        const error = yield* (yield* MediaFiles).resolve(path).pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "MediaFileRefused", reason: "missing" })
      }).pipe(Effect.provide(harness.layer))
    })
  })
