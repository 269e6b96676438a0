import { describe, expect, it } from "@effect/vitest"
import { ChannelMetrics, RobotSendFailed, WebhookExpired, WebhookFailed } from "@openpollen/core"
import { Effect } from "effect"
import { handle, makeWorld, payload, type World } from "./world.js"

const STAFF = "0923451870123456"
const expiredRoute = { sessionWebhookExpiredTime: 1_000 }
const inWorld = (world: World) => Effect.provide(world.layer)
const long = "段落内容。\n\n".repeat(3_000)

describe("deliverReply", () => {
  it.effect("numbers each part's title once when the webhook fails part-way", () => {
    const world = makeWorld()
    world.agent.respondWith(() => Effect.succeed({ markdown: long }))
    world.webhook.failNext("ok", new WebhookExpired({ errcode: 300001 }))
    return Effect.gen(function* () {
      yield* handle(payload("group-text"))
      const titles = [
        ...world.webhook.sent.map((send) => send.message.title),
        ...world.messenger.sent.map((send) => send.message.title),
      ]
      expect(titles.length).toBeGreaterThan(2)
      expect(titles).toEqual(titles.map((_, index) => `段落内容。 (${index + 1}/${titles.length})`))
    }).pipe(inWorld(world))
  })

  it.effect("writes no @-mention text on the Open API route, which cannot mention", () => {
    const world = makeWorld()
    return Effect.gen(function* () {
      yield* handle(payload("group-text", expiredRoute))
      expect(world.messenger.sent).toHaveLength(1)
      expect(world.messenger.sent[0]?.message.text).not.toContain(`@${STAFF}`)
      expect(world.messenger.sent[0]?.message.atUserIds).toEqual([])
    }).pipe(inWorld(world))
  })

  it.effect("writes no @-mention text when the webhook falls back mid-reply", () => {
    const world = makeWorld()
    world.agent.respondWith(() => Effect.succeed({ markdown: long }))
    world.webhook.failNext("ok", new WebhookExpired({ errcode: 300001 }))
    return Effect.gen(function* () {
      yield* handle(payload("group-text"))
      for (const send of world.messenger.sent) expect(send.message.text).not.toContain("@")
    }).pipe(inWorld(world))
  })

  it.effect("mentions nobody for a group sender without a staffId", () => {
    const world = makeWorld()
    const { senderStaffId: _staff, ...withoutStaff } = payload("group-text")
    return Effect.gen(function* () {
      yield* handle(withoutStaff)
      expect(world.webhook.sent[0]?.message.text).not.toContain("@")
      expect(world.webhook.sent[0]?.message.atUserIds).toEqual([])
    }).pipe(inWorld(world))
  })

  it.effect(
    "counts replies and parts the Open API delivered because the webhook was unusable, by reason",
    () => {
      const world = makeWorld()
      world.webhook.failNext(
        new WebhookFailed({ reason: "untrusted-url", message: "not under the configured origin" }),
      )
      return Effect.gen(function* () {
        yield* handle(payload("group-text", { ...expiredRoute, msgId: "m-expired" }))
        yield* handle(payload("group-text", { msgId: "m-untrusted" }))
        const metrics = yield* (yield* ChannelMetrics).snapshot
        expect(metrics.fallbacks).toBe(2)
        expect(metrics.fallbacksByReason).toEqual({
          expired: { replies: 1, parts: 1 },
          "untrusted-host": { replies: 1, parts: 1 },
        })
      }).pipe(inWorld(world))
    },
  )
})

describe("deliverReply after a failure that leaves delivery unknown", () => {
  it.effect("does not send again a part DingTalk answered with a 5xx", () => {
    const world = makeWorld()
    world.webhook.failNext(new WebhookFailed({ reason: "http", status: 502, message: "bad gateway" }))
    return Effect.gen(function* () {
      const outcome = yield* handle(payload("dm-text"))
      expect(outcome).toMatchObject({
        _tag: "ReplyFailed",
        failure: { route: "webhook", part: 0, status: 502, certainty: "ambiguous" },
      })
      expect(world.messenger.sent).toHaveLength(0)
    }).pipe(inWorld(world))
  })

  it.effect("gives a part that timed out one more attempt in total, and counts it", () => {
    const world = makeWorld()
    world.webhook.failNext(new WebhookFailed({ reason: "timeout", message: "timed out" }))
    world.messenger.failNext(
      new RobotSendFailed({ reason: "timeout", retryable: true, message: "timed out" }),
    )
    return Effect.gen(function* () {
      const outcome = yield* handle(payload("group-text"))
      expect(outcome).toMatchObject({ _tag: "ReplyFailed", failure: { route: "group", ambiguousRetries: 1 } })
      expect(world.messenger.sent).toHaveLength(0)
      expect((yield* (yield* ChannelMetrics).snapshot).ambiguousRetries).toBe(1)
    }).pipe(inWorld(world))
  })

  it.effect("retries a certain failure freely: the part did not go out", () => {
    const world = makeWorld()
    world.webhook.failNext(new WebhookFailed({ reason: "network", certainty: "certain", message: "refused" }))
    return Effect.gen(function* () {
      expect(yield* handle(payload("group-text"))).toMatchObject({ _tag: "Replied", openApiParts: 1 })
      expect((yield* (yield* ChannelMetrics).snapshot).ambiguousRetries).toBe(0)
    }).pipe(inWorld(world))
  })
})
