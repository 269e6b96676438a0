import { describe, expect, it } from "@effect/vitest"
import { MediaSink } from "@openpollen/core"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

/** A media message as the chat shows it. */
export interface ReceivedMediaMessage {
  readonly kind: "image" | "file"
  /** The uploaded bytes, when the message names an upload. */
  readonly bytes?: Uint8Array
  /** The https URL, when the message names one. */
  readonly url?: string
  readonly fileName?: string
  readonly fileType?: string
}

export interface MediaSinkHarness<E> {
  readonly layer: Layer.Layer<MediaSink, E>
  /** A group the robot is in; returns its openConversationId. */
  readonly group: () => Promise<string>
  /** A user the robot can reach; returns their staffId. */
  readonly user: () => Promise<string>
  readonly receivedByGroup: (openConversationId: string) => Promise<ReadonlyArray<ReceivedMediaMessage>>
  readonly receivedByUser: (staffId: string) => Promise<ReadonlyArray<ReceivedMediaMessage>>
}

const CHUNK = 64 * 1024
const pattern = (length: number) =>
  Uint8Array.from({ length }, (_, index) => (index * 13 + (index >> 10)) % 256)
const inChunks = (bytes: Uint8Array) =>
  Stream.fromIterable(
    Array.from({ length: Math.ceil(bytes.length / CHUNK) }, (_, index) =>
      bytes.subarray(index * CHUNK, (index + 1) * CHUNK),
    ),
  )

/** A MediaSink uploads streamed files and shows them, and https images without an upload, in groups and DMs. */
export const mediaSinkContract = <E>(name: string, makeHarness: () => MediaSinkHarness<E>) =>
  describe(`MediaSink contract: ${name}`, () => {
    it.effect("uploads an image streamed in chunks and shows it in a group", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const group = yield* Effect.promise(harness.group)
        const sink = yield* MediaSink
        const bytes = pattern(300_000)
        const mediaId = yield* sink.upload({
          kind: "image",
          fileName: "chart.png",
          bytes: bytes.length,
          body: inChunks(bytes),
        })
        expect(mediaId).not.toBe("")
        yield* sink.sendToGroup(group, { _tag: "Image", photoURL: mediaId })
        const received = yield* Effect.promise(() => harness.receivedByGroup(group))
        expect(received).toEqual([{ kind: "image", bytes }])
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("uploads a file and shows it to a user with its name and type", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const user = yield* Effect.promise(harness.user)
        const sink = yield* MediaSink
        const bytes = pattern(70_001)
        const mediaId = yield* sink.upload({
          kind: "file",
          fileName: "季度报告.pdf",
          bytes: bytes.length,
          body: inChunks(bytes),
        })
        yield* sink.sendToUsers([user], { _tag: "File", mediaId, fileName: "季度报告.pdf", fileType: "pdf" })
        const received = yield* Effect.promise(() => harness.receivedByUser(user))
        expect(received).toEqual([{ kind: "file", bytes, fileName: "季度报告.pdf", fileType: "pdf" }])
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("shows an https image by its URL, with no upload", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const group = yield* Effect.promise(harness.group)
        yield* (yield* MediaSink).sendToGroup(group, {
          _tag: "Image",
          photoURL: "https://cdn.example.com/logo.png",
        })
        const received = yield* Effect.promise(() => harness.receivedByGroup(group))
        expect(received).toEqual([{ kind: "image", url: "https://cdn.example.com/logo.png" }])
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("refuses an image over 20 MB as too-large", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const size = 20 * 1024 * 1024 + 1
        const zeros = new Uint8Array(CHUNK)
        const body = Stream.fromIterable(
          Array.from({ length: Math.ceil(size / CHUNK) }, (_, index) =>
            index === Math.floor(size / CHUNK) ? zeros.subarray(0, size % CHUNK) : zeros,
          ),
        )
        const error = yield* (yield* MediaSink)
          .upload({ kind: "image", fileName: "huge.png", bytes: size, body })
          .pipe(Effect.flip)
        expect(error).toMatchObject({
          _tag: "MediaSendFailed",
          step: "upload",
          reason: "too-large",
          retryable: false,
        })
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("fails to send a media id that was never uploaded", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const group = yield* Effect.promise(harness.group)
        const error = yield* (yield* MediaSink)
          .sendToGroup(group, {
            _tag: "File",
            mediaId: "@lAnever-uploaded",
            fileName: "x.pdf",
            fileType: "pdf",
          })
          .pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "MediaSendFailed", step: "send" })
        expect(yield* Effect.promise(() => harness.receivedByGroup(group))).toEqual([])
      }).pipe(Effect.provide(harness.layer))
    })
  })
