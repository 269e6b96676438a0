import { describe, expect, it } from "@effect/vitest"
import { downloadAttachments } from "@openpollen/core"
import { makeFakeMediaSource, makeMemoryFileStore } from "@openpollen/core/testing"
import { Effect, Layer } from "effect"

describe("downloadAttachments", () => {
  it.effect("keeps the cause's fields when a download fails", () => {
    const media = makeFakeMediaSource()
    const files = makeMemoryFileStore()
    return Effect.gen(function* () {
      const failure = yield* downloadAttachments([{ kind: "picture", downloadCode: "gone" }]).pipe(
        Effect.flip,
      )
      expect(failure).toMatchObject({ kind: "picture", step: "download", reason: "http", status: 404 })
    }).pipe(Effect.provide(Layer.merge(media.layer, files.layer)))
  })

  it.effect("says the store failed when the bytes could not be kept", () => {
    const media = makeFakeMediaSource()
    media.register("big", new Uint8Array(64))
    const files = makeMemoryFileStore({ maxBytes: 16 })
    return Effect.gen(function* () {
      const failure = yield* downloadAttachments([
        { kind: "file", downloadCode: "big", fileName: "a.bin" },
      ]).pipe(Effect.flip)
      expect(failure).toMatchObject({ kind: "file", step: "store", reason: "too-large" })
      expect(failure.message).toContain("16")
    }).pipe(Effect.provide(Layer.merge(media.layer, files.layer)))
  })
})
