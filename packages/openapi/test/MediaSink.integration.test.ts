import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { describe, expect, it } from "@effect/vitest"
import { mediaSinkContract, type ReceivedMediaMessage } from "@openpollen/contracts"
import { MediaSink } from "@openpollen/core"
import { AccessTokens } from "@openpollen/openapi"
import { type ReceivedReply, type Simulator, startSimulator } from "@openpollen/simulator"
import { Effect, Redacted, Stream } from "effect"
import { afterAll, beforeAll } from "vitest"
import { openApiFor } from "./support.js"

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({ tokenExpireInSeconds: 7200 })
})
afterAll(async () => {
  await sim.close()
})

const shown = (reply: ReceivedReply): ReceivedMediaMessage | undefined => {
  const media = reply.media
  if (media === undefined) return undefined
  const bytes = media.mediaId === undefined ? undefined : sim.uploadedMedia(media.mediaId)?.bytes
  return {
    kind: media.kind,
    ...(bytes === undefined ? { url: media.url } : { bytes }),
    ...(media.fileName === undefined ? {} : { fileName: media.fileName }),
    ...(media.fileType === undefined ? {} : { fileType: media.fileType }),
  }
}
const received = (replies: ReadonlyArray<ReceivedReply>) =>
  replies.map(shown).filter((media): media is ReceivedMediaMessage => media !== undefined)

mediaSinkContract("OpenApi MediaSink against the simulator", () => ({
  layer: openApiFor(sim, { oapiBase: sim.url }),
  group: async () => sim.group({ title: "g", members: [] }).id,
  user: async () => sim.addUser({ nick: "u" }).staffId ?? "",
  receivedByGroup: async (id) => received(sim.replies.filter((reply) => reply.conversationId === id)),
  receivedByUser: async (staffId) =>
    received(sim.replies.filter((reply) => reply.userIds?.includes(staffId))),
}))

setFlagsFromString("--expose-gc")
/** V8's collector, so the samples count live buffers, not garbage the next collection frees. */
const collectGarbage = runInNewContext("gc") as () => void

const CHUNK = 64 * 1024
/** `size` bytes as one reused chunk: the source holds 64 KiB, so any growth is the uploader's. */
const generated = (size: number) => {
  const chunk = new Uint8Array(CHUNK).fill(0xab)
  return Stream.fromIterable(
    Array.from({ length: Math.ceil(size / CHUNK) }, (_, index) =>
      (index + 1) * CHUNK <= size ? chunk : chunk.subarray(0, size - index * CHUNK),
    ),
  )
}

describe("OpenApi MediaSink", () => {
  it.live("streams a 15 MB upload while memory grows by far less than the file", () =>
    Effect.gen(function* () {
      const size = 15 * 1024 * 1024
      const sink = yield* MediaSink
      yield* (yield* AccessTokens).get
      collectGarbage()
      const before = process.memoryUsage()
      let peakRss = before.rss
      let peakBuffers = before.arrayBuffers
      let samples = 0
      const sampler = setInterval(() => {
        samples += 1
        collectGarbage()
        const now = process.memoryUsage()
        peakRss = Math.max(peakRss, now.rss)
        peakBuffers = Math.max(peakBuffers, now.arrayBuffers)
      }, 5)
      const mediaId = yield* sink
        .upload({ kind: "file", fileName: "big.bin", bytes: size, body: generated(size) })
        .pipe(Effect.ensuring(Effect.sync(() => clearInterval(sampler))))
      expect(samples).toBeGreaterThan(3)
      expect(sim.uploadedMedia(mediaId)?.size).toBe(size)
      // The simulator writes the upload to disk, so an upload held in memory would show here as 15 MB or more.
      expect((peakBuffers - before.arrayBuffers) / 1024 / 1024).toBeLessThan(4)
      expect((peakRss - before.rss) / 1024 / 1024).toBeLessThan(12)
    }).pipe(Effect.provide(openApiFor(sim, { oapiBase: sim.url }))),
  )

  it.live(
    "renews a token DingTalk no longer accepts and uploads again; no error or answer names the token",
    () =>
      Effect.gen(function* () {
        const tokens = yield* AccessTokens
        const old = yield* tokens.get
        sim.revokeTokens()
        const sink = yield* MediaSink
        const mediaId = yield* sink.upload({
          kind: "image",
          fileName: "a.png",
          bytes: 100,
          body: generated(100),
        })
        expect(sim.uploadedMedia(mediaId)?.size).toBe(100)
        expect(Redacted.value(yield* tokens.get)).not.toBe(Redacted.value(old))
      }).pipe(Effect.provide(openApiFor(sim, { oapiBase: sim.url }))),
  )

  it.live(
    "reports DingTalk's errcode as a structured failure without the URL or token, after its retries",
    () =>
      Effect.gen(function* () {
        const token = Redacted.value(yield* (yield* AccessTokens).get)
        const before = sim.counters.mediaUploads
        sim.setFault("mediaUpload", { status: 503 })
        const error = yield* (yield* MediaSink)
          .upload({ kind: "file", fileName: "a.pdf", bytes: 10, body: generated(10) })
          .pipe(Effect.flip, Effect.ensuring(Effect.sync(() => sim.clearFault("mediaUpload"))))
        expect(error).toMatchObject({ _tag: "MediaSendFailed", step: "upload", reason: "http", status: 503 })
        expect(JSON.stringify(error)).not.toContain(token)
        expect(error.message).not.toContain("access_token")
        // The first try and 4 retries.
        expect(sim.counters.mediaUploads - before).toBe(5)
      }).pipe(Effect.provide(openApiFor(sim, { oapiBase: sim.url, retryBaseMs: 5 }))),
  )

  it.live("retries an upload that failed on the way (5xx), and the file arrives whole", () =>
    Effect.gen(function* () {
      const before = sim.counters.mediaUploads
      sim.setFault("mediaUpload", { status: 502, times: 2 })
      const mediaId = yield* (yield* MediaSink).upload({
        kind: "file",
        fileName: "a.pdf",
        bytes: 100,
        body: generated(100),
      })
      expect(sim.uploadedMedia(mediaId)?.size).toBe(100)
      expect(sim.counters.mediaUploads - before).toBe(3)
    }).pipe(Effect.provide(openApiFor(sim, { oapiBase: sim.url, retryBaseMs: 5 }))),
  )

  it.live("refuses to send a body whose length differs from the size it announced (the file changed)", () =>
    Effect.gen(function* () {
      const sink = yield* MediaSink
      for (const actual of [99, 101]) {
        const startedAt = Date.now()
        const error = yield* sink
          .upload({ kind: "file", fileName: "a.pdf", bytes: 100, body: generated(actual) })
          .pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "MediaSendFailed", step: "upload", reason: "network" })
        expect(error.message).toContain("changed")
        // Not worth another try (the file, not the network, is the problem): a retry would wait at least 1.6 s.
        expect(Date.now() - startedAt).toBeLessThan(1_500)
      }
    }).pipe(Effect.provide(openApiFor(sim, { oapiBase: sim.url, retryBaseMs: 2_000 }))),
  )

  it.live(
    "fails with network when the upload origin is unreachable, after its retries, never naming the token",
    () =>
      Effect.gen(function* () {
        const token = Redacted.value(yield* (yield* AccessTokens).get)
        const error = yield* (yield* MediaSink)
          .upload({ kind: "file", fileName: "a.pdf", bytes: 10, body: generated(10) })
          .pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "MediaSendFailed", step: "upload", reason: "network" })
        expect(JSON.stringify(error)).not.toContain(token)
      }).pipe(Effect.provide(openApiFor(sim, { oapiBase: "http://127.0.0.1:9", retryBaseMs: 5 }))),
  )
})
