import { describe, expect, it } from "@effect/vitest"
import { cardOutTrackId, MAX_MEDIA_PER_ANSWER, MediaSendFailed } from "@openpollen/core"
import { scriptedChunks } from "@openpollen/core/testing"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { ANSWER, mediaWorld, PDF, PNG } from "./mediaWorld.js"
import { handle, makeWorld, payload, settings } from "./world.js"

const STAFF = "0923451870123456"
const dm = payload("dm-text")
const group = payload("group-text")

describe("media out", () => {
  it.effect("markdown mode: the text with labels, then the image, then the file, to the DM's staffId", () => {
    const world = mediaWorld()
    world.agent.respondWith(() => Effect.succeed({ markdown: ANSWER }))
    return Effect.gen(function* () {
      const outcome = yield* handle(dm)
      expect(outcome).toMatchObject({ _tag: "Replied", kind: "answer" })
      expect(world.webhook.sent.map((send) => send.message.text)).toEqual([
        "图表如下：\n完整报告：📎 report.pdf",
      ])
      expect(world.sink.uploads.map(({ kind, fileName, bytes }) => ({ kind, fileName, bytes }))).toEqual([
        { kind: "image", fileName: "chart.png", bytes: PNG },
        { kind: "file", fileName: "report.pdf", bytes: PDF },
      ])
      expect(world.sink.sent).toEqual([
        { to: "users", staffIds: [STAFF], message: { _tag: "Image", photoURL: "@fake-media-1" } },
        {
          to: "users",
          staffIds: [STAFF],
          message: { _tag: "File", mediaId: "@fake-media-2", fileName: "report.pdf", fileType: "pdf" },
        },
      ])
    }).pipe(Effect.provide(world.layer))
  })

  it.effect(
    "card mode: the card is finalized with the labels (never the path), then the media go to the group",
    () => {
      const world = mediaWorld({ replyMode: "card" })
      world.agent.respondWith(() => Effect.succeed({ markdown: ANSWER }))
      return Effect.gen(function* () {
        const outcome = yield* handle(group)
        expect(outcome).toMatchObject({ _tag: "Replied", card: true })
        const card = world.cards.cards.get(cardOutTrackId(settings.robotCode, String(group.msgId)))
        expect(card?.finalized).toBe(true)
        expect(card?.content).toContain("📎 report.pdf")
        for (const update of card?.updates ?? []) expect(update.content).not.toContain("/ws/")
        expect(world.sink.sent.map((send) => [send.to, send.message._tag])).toEqual([
          ["group", "Image"],
          ["group", "File"],
        ])
        expect(world.webhook.sent).toEqual([])
      }).pipe(Effect.provide(world.layer))
    },
  )

  it.effect(
    "never uploads a path outside the allowed folders; the text keeps a note with the file name only",
    () => {
      const world = mediaWorld()
      world.agent.respondWith(() =>
        Effect.succeed({ markdown: "看 [密码](/etc/passwd) 和 ![](../../x.png)" }),
      )
      return Effect.gen(function* () {
        yield* handle(dm)
        expect(world.sink.uploads).toEqual([])
        expect(world.sink.sent).toEqual([])
        const text = world.webhook.sent[0]?.message.text ?? ""
        expect(text).toBe(
          "看 ⚠️ passwd: not sent (outside the folders the bot may share) 和 " +
            "⚠️ x.png: not sent (outside the folders the bot may share)",
        )
      }).pipe(Effect.provide(world.layer))
    },
  )

  it.effect("card mode: while the answer streams, every update shows labels, never a path", () => {
    const world = mediaWorld({ replyMode: "card", cardUpdateIntervalMs: 100 })
    world.agent.respondWith(() =>
      scriptedChunks(
        ["图表如下：\n", "![图表](/ws/chart.png)\n", "完整报告：", "[报告](/ws/report.pdf)", "\n完"],
        "300 millis",
      ),
    )
    return Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(handle(group))
      for (let step = 0; step < 60; step += 1) yield* TestClock.adjust("50 millis")
      yield* Fiber.join(fiber)
      const card = world.cards.cards.get(cardOutTrackId(settings.robotCode, String(group.msgId)))
      const updates = card?.updates ?? []
      expect(updates.length).toBeGreaterThan(3)
      expect(updates.some((update) => update.content.includes("📎 report.pdf") && !update.final)).toBe(true)
      for (const update of updates) expect(update.content).not.toContain("/ws/")
    }).pipe(Effect.provide(world.layer))
  })

  it.effect("a file over DingTalk's 20 MB limit gets a note instead of an upload", () => {
    const world = mediaWorld()
    world.mediaFiles.add("/ws/huge.zip", new Uint8Array(20 * 1024 * 1024 + 1))
    world.agent.respondWith(() => Effect.succeed({ markdown: "压缩包：[huge](/ws/huge.zip)" }))
    return Effect.gen(function* () {
      yield* handle(dm)
      expect(world.sink.uploads).toEqual([])
      expect(world.webhook.sent[0]?.message.text).toBe(
        "压缩包：⚠️ huge.zip: not sent (20.1 MB, over DingTalk's 20 MB limit)",
      )
    }).pipe(Effect.provide(world.layer))
  })

  it.effect("an upload failure costs neither the text nor the other media: a note follows", () => {
    const world = mediaWorld()
    world.sink.failNext(
      new MediaSendFailed({
        step: "upload",
        reason: "errcode",
        errcode: 40035,
        retryable: false,
        message: "x",
      }),
    )
    world.agent.respondWith(() => Effect.succeed({ markdown: ANSWER }))
    return Effect.gen(function* () {
      const outcome = yield* handle(dm)
      expect(outcome).toMatchObject({ _tag: "Replied", kind: "answer" })
      expect(world.webhook.sent.map((send) => send.message.text)).toEqual([
        "图表如下：\n完整报告：📎 report.pdf",
        "⚠️ chart.png: could not be sent",
      ])
      expect(world.sink.sent.map((send) => send.message._tag)).toEqual(["File"])
    }).pipe(Effect.provide(world.layer))
  })

  it.effect("a DM sender without a staffId gets the text and a note: media need the Open API", () => {
    const world = mediaWorld()
    const { senderStaffId: _staff, ...withoutStaff } = dm
    world.agent.respondWith(() => Effect.succeed({ markdown: ANSWER }))
    return Effect.gen(function* () {
      yield* handle(withoutStaff)
      expect(world.webhook.sent.map((send) => send.message.text)).toEqual([
        "图表如下：\n完整报告：📎 report.pdf",
        "⚠️ chart.png: could not be sent\n⚠️ report.pdf: could not be sent",
      ])
      expect(world.sink.sent).toEqual([])
    }).pipe(Effect.provide(world.layer))
  })

  it.effect("sends at most 10 files of one answer; the rest keep a note", () => {
    const world = mediaWorld()
    const names = Array.from({ length: 12 }, (_, index) => `f${index + 1}.pdf`)
    for (const name of names) world.mediaFiles.add(`/ws/${name}`, PDF)
    world.agent.respondWith(() =>
      Effect.succeed({ markdown: names.map((name) => `[${name}](/ws/${name})`).join(" ") }),
    )
    return Effect.gen(function* () {
      yield* handle(dm)
      expect(world.sink.sent).toHaveLength(MAX_MEDIA_PER_ANSWER)
      expect(world.webhook.sent[0]?.message.text).toContain(
        "📎 f10.pdf ⚠️ f11.pdf: not sent (too many files in one answer) ⚠️ f12.pdf: not sent",
      )
    }).pipe(Effect.provide(world.layer))
  })

  it.effect("an https image goes as its URL without an upload", () => {
    const world = mediaWorld()
    world.agent.respondWith(() => Effect.succeed({ markdown: "![logo](https://cdn.example.com/logo.png)" }))
    return Effect.gen(function* () {
      yield* handle(dm)
      expect(world.webhook.sent[0]?.message.text).toBe("🖼 logo.png")
      expect(world.sink.uploads).toEqual([])
      expect(world.sink.sent).toEqual([
        {
          to: "users",
          staffIds: [STAFF],
          message: { _tag: "Image", photoURL: "https://cdn.example.com/logo.png" },
        },
      ])
    }).pipe(Effect.provide(world.layer))
  })

  it.effect("without a MediaSink the answer is sent exactly as written", () => {
    const world = makeWorld()
    world.agent.respondWith(() => Effect.succeed({ markdown: ANSWER }))
    return Effect.gen(function* () {
      yield* handle(dm)
      expect(world.webhook.sent[0]?.message.text).toContain("![图表](/ws/chart.png)")
    }).pipe(Effect.provide(world.layer))
  })
})
