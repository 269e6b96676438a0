import { describe, expect, it } from "@effect/vitest"
import { MediaSource } from "@openpollen/core"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

export interface MediaSourceHarness<E> {
  readonly layer: Layer.Layer<MediaSource, E>
  /** Makes bytes downloadable; returns their downloadCode. */
  readonly register: (bytes: Uint8Array, contentType?: string) => Promise<string>
}

const collect = (stream: Stream.Stream<Uint8Array, unknown>) =>
  Stream.runFold(
    stream,
    () => [] as Array<number>,
    (all, chunk) => {
      all.push(...chunk)
      return all
    },
  )

/** A MediaSource streams the bytes behind a downloadCode, and fails with DownloadFailed for an unknown one. */
export const mediaSourceContract = <E>(name: string, makeHarness: () => MediaSourceHarness<E>) =>
  describe(`MediaSource contract: ${name}`, () => {
    it.effect("streams exactly the registered bytes", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const bytes = Uint8Array.from({ length: 3_000 }, (_, index) => index % 256)
        const code = yield* Effect.promise(() => harness.register(bytes, "image/png"))
        const body = yield* (yield* MediaSource).open(code)
        expect(yield* collect(body.bytes)).toEqual([...bytes])
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("streams the same bytes when each chunk is released once read", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const bytes = Uint8Array.from({ length: 300_000 }, (_, index) => (index * 31 + (index >> 9)) % 256)
        const code = yield* Effect.promise(() => harness.register(bytes, "application/pdf"))
        const body = yield* (yield* MediaSource).open(code)
        const read = yield* Stream.runFold(
          body.bytes,
          () => [] as Array<number>,
          (all, chunk) => {
            for (const byte of chunk) all.push(byte)
            body.release?.(chunk)
            return all
          },
        )
        expect(read).toEqual([...bytes])
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("fails with DownloadFailed for an unknown downloadCode", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const error = yield* (yield* MediaSource).open("mIo/unknown+code==").pipe(
          Effect.flatMap((body) => collect(body.bytes)),
          Effect.flip,
        )
        expect(error).toMatchObject({ _tag: "DownloadFailed" })
      }).pipe(Effect.provide(harness.layer))
    })
  })
