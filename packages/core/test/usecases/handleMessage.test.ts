import { describe, expect, it } from "@effect/vitest"
import {
  AgentFailed,
  ChannelMetrics,
  ConversationStore,
  conversationKey,
  DedupeStore,
  DedupeStoreError,
  DownloadFailed,
  FRIENDLY_REPLIES,
  MemoryConversationStore,
  makeMemoryConversationStore,
  ROUTE_REFRESH_MS,
  RobotSendFailed,
  TRUNCATION_NOTICE,
  WebhookExpired,
  WebhookFailed,
  WebhookOversize,
  wireSize,
} from "@openpollen/core"
import { Deferred, Effect, Fiber, Layer } from "effect"
import { frame, handle, handleFrame, makeWorld, payload, settings, type World } from "./world.js"

const STAFF = "0923451870123456"
const expiredRoute = { sessionWebhookExpiredTime: 1_000 }
const inWorld = (world: World) => Effect.provide(world.layer)

describe("handleMessage", () => {
  it.effect("answers a DM through its session webhook", () => {
    const world = makeWorld()
    return Effect.gen(function* () {
      const outcome = yield* handle(payload("dm-text"))
      expect(outcome).toEqual({
        _tag: "Replied",
        kind: "answer",
        parts: 1,
        webhookParts: 1,
        openApiParts: 0,
        ambiguousRetries: 0,
      })
      expect(world.webhook.sent).toHaveLength(1)
      expect(world.webhook.sent[0]?.url).toContain("sendBySession")
      expect(world.webhook.sent[0]?.message).toEqual({
        title: "明天的周会几点开始？",
        text: "明天的周会几点开始？",
        atUserIds: [],
      })
      expect(world.agent.requests[0]).toMatchObject({ sessionKey: "dm:$:LWCP_v1:$d4Fq8Wn2Xr6TzK1mP9sYbA==" })
    }).pipe(inWorld(world))
  })

  it.effect("@-mentions the sender of a group message", () => {
    const world = makeWorld()
    return Effect.gen(function* () {
      yield* handle(payload("group-text"))
      const sent = world.webhook.sent[0]?.message
      expect(sent?.atUserIds).toEqual([STAFF])
      expect(sent?.text).toBe(`帮我看下这个报错\n\n@${STAFF}`)
      expect(world.agent.requests[0]?.sessionKey).toBe("group:cidK4wQ8zN1pR6tY2mX9vB3sLg==")
    }).pipe(inWorld(world))
  })

  it.effect("ignores a group message that does not mention the bot, and records why", () => {
    const world = makeWorld()
    return Effect.gen(function* () {
      expect(yield* handle(payload("group-not-mentioned"))).toEqual({
        _tag: "Ignored",
        reason: "not-mentioned",
      })
      expect(world.webhook.sent).toHaveLength(0)
      expect(world.agent.requests).toHaveLength(0)
      expect((yield* (yield* ChannelMetrics).snapshot).ignored).toEqual({ "not-mentioned": 1 })
    }).pipe(inWorld(world))
  })

  it.effect("answers every group message under groupPolicy 'all'", () => {
    const world = makeWorld({ groupPolicy: "all" })
    return Effect.gen(function* () {
      expect((yield* handle(payload("group-not-mentioned")))._tag).toBe("Replied")
    }).pipe(inWorld(world))
  })

  it.effect("drops a redelivered msgId even with a new frame messageId", () => {
    const world = makeWorld()
    return Effect.gen(function* () {
      yield* handle(payload("dm-text"), "frame-a")
      expect(yield* handle(payload("dm-text"), "frame-b")).toEqual({ _tag: "Duplicate", state: "done" })
      expect(world.webhook.sent).toHaveLength(1)
    }).pipe(inWorld(world))
  })

  it.effect("drops a redelivery that arrives while the first delivery is still being answered", () => {
    const world = makeWorld()
    return Effect.gen(function* () {
      const release = yield* Deferred.make<void>()
      world.agent.respondWith((request) =>
        Deferred.await(release).pipe(Effect.as({ markdown: request.text })),
      )
      const first = yield* Effect.forkChild(handle(payload("dm-text"), "frame-a"))
      yield* Effect.yieldNow
      expect(yield* handle(payload("dm-text"), "frame-b")).toEqual({ _tag: "Duplicate", state: "in-flight" })
      yield* Deferred.succeed(release, undefined)
      expect((yield* Fiber.join(first))._tag).toBe("Replied")
      expect(world.webhook.sent).toHaveLength(1)
    }).pipe(inWorld(world))
  })

  it.effect("drops a payload that does not decode, naming the field", () => {
    const world = makeWorld()
    return Effect.gen(function* () {
      expect(yield* handle({ ...payload("dm-text"), conversationId: 42 })).toEqual({
        _tag: "Malformed",
        path: "conversationId",
      })
      expect(world.webhook.sent).toHaveLength(0)
    }).pipe(inWorld(world))
  })

  it.effect("replies kindly, without internal detail, when the agent fails", () => {
    const world = makeWorld()
    world.agent.respondWith(() =>
      Effect.fail(new AgentFailed({ reason: "internal", message: "ECONNRESET at /srv/x.js" })),
    )
    return Effect.gen(function* () {
      expect(yield* handle(payload("dm-text"))).toMatchObject({ _tag: "Replied", kind: "apology" })
      expect(world.webhook.sent[0]?.message.text).toBe(FRIENDLY_REPLIES.agentFailed)
      expect(JSON.stringify(world.webhook.sent)).not.toContain("ECONNRESET")
    }).pipe(inWorld(world))
  })

  it.effect("hands downloaded pictures to the agent as local paths", () => {
    const world = makeWorld()
    world.media.register("mIo/N+zoQ2xKq==", new Uint8Array([0x89, 0x50, 0x4e, 0x47]), "image/png")
    return Effect.gen(function* () {
      yield* handle(payload("picture"))
      expect(world.agent.requests[0]?.attachments).toEqual([
        { kind: "picture", path: "/memory/uploads/file-1.bin", contentType: "image/png" },
      ])
      expect(world.files.files.get("/memory/uploads/file-1.bin")).toEqual(
        new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
      )
    }).pipe(inWorld(world))
  })

  it.effect("replies kindly when an attachment cannot be downloaded", () => {
    const world = makeWorld()
    world.media.failWith(
      "mIo/N+zoQ2xKq==",
      new DownloadFailed({ reason: "timeout", message: "slow OSS at 10.0.0.1" }),
    )
    return Effect.gen(function* () {
      expect(yield* handle(payload("picture"))).toMatchObject({ _tag: "Replied", kind: "apology" })
      expect(world.webhook.sent[0]?.message.text).toBe(FRIENDLY_REPLIES.downloadFailed)
      expect(world.agent.requests).toHaveLength(0)
    }).pipe(inWorld(world))
  })

  it.effect("goes straight to the Open API when the webhook has expired (group)", () => {
    const world = makeWorld()
    return Effect.gen(function* () {
      const outcome = yield* handle(payload("group-text", expiredRoute))
      expect(outcome).toMatchObject({ _tag: "Replied", webhookParts: 0, openApiParts: 1 })
      expect(world.webhook.sent).toHaveLength(0)
      expect(world.messenger.sent[0]).toMatchObject({
        to: "group",
        openConversationId: "cidK4wQ8zN1pR6tY2mX9vB3sLg==",
      })
    }).pipe(inWorld(world))
  })

  it.effect(
    "answers through the newest session webhook a ConversationStore knows for the conversation",
    () => {
      const world = makeWorld()
      const newer = "https://oapi.dingtalk.com/robot/sendBySession?session=newer"
      return Effect.gen(function* () {
        const store = yield* ConversationStore
        yield* store.remember(conversationKey(settings.robotCode, "cidV2p9kQx7LmT4wRb8nYz1sA=="), {
          sessionWebhook: newer,
          expiresAt: 1_764_034_200_123 + 60_000,
        })
        yield* handle(payload("dm-text", { sessionWebhookExpiredTime: 200_000 }))
        expect(world.webhook.sent.map((sent) => sent.url)).toEqual([newer])
        yield* handle(payload("dm-text", { msgId: "msg-2" }))
        expect(world.webhook.sent.map((sent) => sent.url)).toEqual([newer, newer])
      }).pipe(inWorld(world), Effect.provide(MemoryConversationStore.layer()))
    },
  )

  it.effect(
    "stores a conversation's route again only when the message's own outlives the stored one by ROUTE_REFRESH_MS",
    () => {
      const world = makeWorld()
      const remembered: Array<number> = []
      const counting = Layer.effect(
        ConversationStore,
        Effect.map(makeMemoryConversationStore(), (inner) =>
          ConversationStore.of({
            remember: (key, route) =>
              Effect.andThen(
                Effect.sync(() => remembered.push(route.expiresAt)),
                inner.remember(key, route),
              ),
            latest: inner.latest,
          }),
        ),
      )
      const at = (msgId: string, expiresAt: number) =>
        handle(
          payload("dm-text", {
            msgId,
            sessionWebhook: `https://oapi.dingtalk.com/robot/sendBySession?session=${msgId}`,
            sessionWebhookExpiredTime: expiresAt,
          }),
        )
      const first = 1_764_034_200_123
      return Effect.gen(function* () {
        yield* at("m-1", first)
        yield* at("m-2", first + ROUTE_REFRESH_MS - 1)
        yield* at("m-3", first + ROUTE_REFRESH_MS + 1)
        expect(remembered).toEqual([first, first + ROUTE_REFRESH_MS + 1])
        expect(world.webhook.sent.map((sent) => sent.url.split("session=")[1])).toEqual(["m-1", "m-2", "m-3"])
      }).pipe(inWorld(world), Effect.provide(counting))
    },
  )

  it.effect(
    "defers a journalled message while the dedupe store is down, and handles an unjournalled one anyway",
    () => {
      const world = makeWorld()
      const down = Layer.succeed(
        DedupeStore,
        DedupeStore.of({
          claim: () =>
            Effect.fail(new DedupeStoreError({ message: "redis 127.0.0.1:6379: dedupe claim failed" })),
          complete: () => Effect.void,
          release: () => Effect.void,
        }),
      )
      return Effect.gen(function* () {
        const journalled = yield* handleFrame({ ...frame(payload("dm-text")), journalId: "1-0" })
        expect(journalled).toEqual({ _tag: "Deferred", reason: "dedupe-unavailable" })
        expect(world.agent.requests).toHaveLength(0)
        expect((yield* (yield* ChannelMetrics).snapshot).deferred).toBe(1)
        expect(yield* handle(payload("dm-text"))).toMatchObject({ _tag: "Replied" })
      }).pipe(Effect.provide(down), inWorld(world))
    },
  )

  it.effect("treats a webhook as expired within the safety margin", () => {
    const world = makeWorld({ webhookExpiryMarginMs: 300_000 })
    return Effect.gen(function* () {
      yield* handle(payload("dm-text", { sessionWebhookExpiredTime: 200_000 }))
      expect(world.webhook.sent).toHaveLength(0)
      expect(world.messenger.sent[0]).toMatchObject({ to: "users", staffIds: [STAFF] })
    }).pipe(inWorld(world))
  })

  it.effect.each([
    ["errcode 300001", new WebhookExpired({ errcode: 300001 })],
    ["errcode 460101", new WebhookOversize({ errcode: 460101 })],
    ["another errcode", new WebhookFailed({ reason: "errcode", errcode: 130101, message: "send too fast" })],
    [
      "a refused connection",
      new WebhookFailed({ reason: "network", certainty: "certain", message: "refused" }),
    ],
  ] as const)("falls back to the Open API after %s (DM → batchSend)", ([_name, error]) => {
    const world = makeWorld()
    world.webhook.failNext(error)
    return Effect.gen(function* () {
      const outcome = yield* handle(payload("dm-text"))
      expect(outcome).toMatchObject({ _tag: "Replied", webhookParts: 0, openApiParts: 1 })
      expect(world.messenger.sent).toEqual([
        {
          to: "users",
          staffIds: [STAFF],
          message: { title: "明天的周会几点开始？", text: "明天的周会几点开始？", atUserIds: [] },
        },
      ])
    }).pipe(inWorld(world))
  })

  it.effect(
    "fails the reply, and lets a redelivery retry, when a DM sender has no staffId and the webhook is dead",
    () => {
      const world = makeWorld()
      const { senderStaffId: _staff, ...withoutStaff } = payload("dm-text", expiredRoute)
      return Effect.gen(function* () {
        expect(yield* handle(withoutStaff)).toMatchObject({ _tag: "ReplyFailed", delivered: 0 })
        expect((yield* handle(withoutStaff))._tag).toBe("ReplyFailed")
        expect(world.agent.requests).toHaveLength(2)
      }).pipe(inWorld(world))
    },
  )

  it.effect("reports a reply the Open API refused", () => {
    const world = makeWorld()
    world.messenger.failNext(
      new RobotSendFailed({
        reason: "rejected-users",
        retryable: false,
        certainty: "certain",
        message: "1 invalid staffId",
      }),
    )
    return Effect.gen(function* () {
      expect(yield* handle(payload("dm-text", expiredRoute))).toMatchObject({
        _tag: "ReplyFailed",
        delivered: 0,
      })
    }).pipe(inWorld(world))
  })

  it.effect("starts a new session on /new and /reset", () => {
    const world = makeWorld()
    return Effect.gen(function* () {
      yield* handle(payload("dm-text", { msgId: "m1", text: { content: "/reset" } }))
      yield* handle(payload("dm-text", { msgId: "m2", text: { content: " /new " } }))
      expect(world.agent.resets).toEqual([
        "dm:$:LWCP_v1:$d4Fq8Wn2Xr6TzK1mP9sYbA==",
        "dm:$:LWCP_v1:$d4Fq8Wn2Xr6TzK1mP9sYbA==",
      ])
      expect(world.agent.requests).toHaveLength(0)
      expect(world.webhook.sent.map((send) => send.message.text)).toEqual([
        FRIENDLY_REPLIES.sessionReset,
        FRIENDLY_REPLIES.sessionReset,
      ])
    }).pipe(inWorld(world))
  })

  it.effect("truncates a long reply with a notice and splits it to fit the byte budget", () => {
    const world = makeWorld()
    world.agent.respondWith(() => Effect.succeed({ markdown: "长".repeat(20_000) }))
    return Effect.gen(function* () {
      const outcome = yield* handle(payload("group-text"))
      expect(outcome).toMatchObject({ _tag: "Replied", kind: "answer" })
      const parts = world.webhook.sent.map((send) => send.message)
      expect(parts.length).toBeGreaterThanOrEqual(3)
      for (const part of parts) expect(wireSize("webhook", part)).toBeLessThanOrEqual(20_000)
      const text = parts.map((part) => part.text).join("")
      expect(text).toContain(TRUNCATION_NOTICE.trim())
      expect(text.slice(0, text.indexOf(TRUNCATION_NOTICE.trim())).split("长").length - 1).toBe(18_000)
      expect(parts.at(-1)?.atUserIds).toEqual([STAFF])
    }).pipe(inWorld(world))
  })

  it.effect("falls back mid-reply: parts the webhook delivered are not sent again", () => {
    const world = makeWorld()
    world.agent.respondWith(() => Effect.succeed({ markdown: "段落内容。\n\n".repeat(2_000) }))
    world.webhook.failNext("ok", new WebhookExpired({ errcode: 300001 }))
    return Effect.gen(function* () {
      const outcome = yield* handle(payload("group-text"))
      expect(outcome).toMatchObject({ _tag: "Replied", webhookParts: 1 })
      expect(world.webhook.sent).toHaveLength(1)
      const viaOpenApi = world.messenger.sent.map((send) => send.message.text).join("")
      const all = `${world.webhook.sent[0]?.message.text}${viaOpenApi}`
      expect(all.split("段落内容。").length - 1).toBe(2_000)
      expect(world.messenger.sent.every((send) => send.to === "group")).toBe(true)
    }).pipe(inWorld(world))
  })
})
