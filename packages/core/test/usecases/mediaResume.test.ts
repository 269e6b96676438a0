import { describe, expect, it } from "@effect/vitest"
import {
  cardOutTrackId,
  DedupeStore,
  decodeCallback,
  dedupeKey,
  type InboundFrame,
  InboundJournal,
  type PendingMedia,
  ReplyCard,
} from "@openpollen/core"
import { Effect, Layer, Result, Stream } from "effect"
import { ANSWER, mediaWorld } from "./mediaWorld.js"
import { frame, handleFrame, payload, settings } from "./world.js"

const chart: PendingMedia = { _tag: "Local", kind: "image", fileName: "chart.png", path: "/ws/chart.png" }
const report: PendingMedia = { _tag: "Local", kind: "file", fileName: "report.pdf", path: "/ws/report.pdf" }
const dm = payload("dm-text")
const journalled: InboundFrame = { ...frame(dm), journalId: "7" }

/** The media world, with a journal that records each noteMedia and the dedupe key's state at that moment. */
const resumeWorld = () => {
  const world = mediaWorld()
  const notes: Array<{ readonly media: ReadonlyArray<PendingMedia>; readonly key: string }> = []
  const journal = Layer.effect(
    InboundJournal,
    Effect.gen(function* () {
      const dedupe = yield* DedupeStore
      const key = dedupeKey(settings.robotCode, Result.getOrThrow(decodeCallback(journalled.data)))
      return InboundJournal.of({
        record: Effect.succeed,
        noteCard: () => Effect.void,
        noteMedia: (_, media) =>
          Effect.map(Effect.orDie(dedupe.claim(key)), (state) => {
            notes.push({ media, key: state })
          }),
        settle: () => Effect.void,
        release: () => Effect.void,
        orphans: Stream.empty,
      })
    }),
  )
  return { ...world, notes, layer: Layer.provideMerge(journal, world.layer) }
}

describe("an answer's media across a restart", () => {
  it.effect("are noted before the message counts as answered, then what is left after each one", () => {
    const world = resumeWorld()
    world.agent.respondWith(() => Effect.succeed({ markdown: ANSWER }))
    return Effect.gen(function* () {
      expect(yield* handleFrame(journalled)).toMatchObject({ _tag: "Replied" })
      // The first note is taken while the key is still in flight: a crash after it resumes the media.
      expect(world.notes).toEqual([
        { media: [chart, report], key: "in-flight" },
        { media: [report], key: "done" },
        { media: [], key: "done" },
      ])
      expect(world.sink.sent.map((send) => send.message._tag)).toEqual(["Image", "File"])
    }).pipe(Effect.provide(world.layer))
  })

  it.effect("a frame handed back with pending media sends only those: no agent, no text again", () => {
    const world = resumeWorld()
    return Effect.gen(function* () {
      const outcome = yield* handleFrame({ ...journalled, pendingMedia: [report] })
      expect(outcome).toEqual({ _tag: "MediaResumed", sent: 1, failed: 0 })
      expect(world.agent.requests).toEqual([])
      expect(world.webhook.sent).toEqual([])
      expect(world.sink.sent.map((send) => send.message)).toEqual([
        { _tag: "File", mediaId: "@fake-media-1", fileName: "report.pdf", fileType: "pdf" },
      ])
      expect(world.notes.map((note) => note.media)).toEqual([[]])
      // The key is done now, and a redelivery of the message is a duplicate.
      expect(yield* handleFrame(journalled)).toMatchObject({ _tag: "Duplicate", state: "done" })
    }).pipe(Effect.provide(world.layer))
  })

  it.effect("resumes whether or not the dead process had saved the message as answered", () => {
    const world = resumeWorld()
    world.agent.respondWith(() => Effect.succeed({ markdown: "只有文字" }))
    return Effect.gen(function* () {
      yield* handleFrame(journalled)
      const outcome = yield* handleFrame({ ...journalled, pendingMedia: [chart] })
      expect(outcome).toEqual({ _tag: "MediaResumed", sent: 1, failed: 0 })
      expect(world.agent.requests).toHaveLength(1)
      expect(world.webhook.sent).toHaveLength(1)
    }).pipe(Effect.provide(world.layer))
  })

  it.effect("card mode: the card the answer was finalized in is left as it is", () => {
    const world = resumeWorld()
    return Effect.gen(function* () {
      const replyCard = yield* ReplyCard
      const outTrackId = cardOutTrackId(settings.robotCode, String(dm.msgId))
      yield* replyCard.create({ outTrackId, space: { kind: "dm", staffId: "0923451870123456" } })
      yield* replyCard.finalize(outTrackId, { content: "图表如下：📎 report.pdf", error: false })
      const outcome = yield* handleFrame({ ...journalled, cardOpened: true, pendingMedia: [report] })
      expect(outcome).toEqual({ _tag: "MediaResumed", sent: 1, failed: 0 })
      expect(world.cards.cards.get(outTrackId)).toMatchObject({
        content: "图表如下：📎 report.pdf",
        error: false,
      })
    }).pipe(Effect.provide(world.layer))
  })

  it.effect("a file that can no longer be sent is named in a note, the others still go", () => {
    const world = resumeWorld()
    const gone: PendingMedia = { _tag: "Local", kind: "image", fileName: "gone.png", path: "/ws/gone.png" }
    return Effect.gen(function* () {
      const outcome = yield* handleFrame({ ...journalled, pendingMedia: [gone, report] })
      expect(outcome).toEqual({ _tag: "MediaResumed", sent: 1, failed: 1 })
      expect(world.sink.sent.map((send) => send.message._tag)).toEqual(["File"])
      expect(world.webhook.sent.map((send) => send.message.text).join("\n")).toContain("gone.png")
    }).pipe(Effect.provide(world.layer))
  })
})
