import { describe, expect, it } from "@effect/vitest"
import {
  AgentFailed,
  CARD_POINTER,
  CardFailed,
  ChannelMetrics,
  cardOutTrackId,
  FRIENDLY_REPLIES,
} from "@openpollen/core"
import { scriptedChunks } from "@openpollen/core/testing"
import { Effect, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { handle, makeWorld, payload, settings, type World } from "./world.js"

const inWorld = (world: World) => Effect.provide(world.layer)
const cardWorld = () => makeWorld({ replyMode: "card", cardUpdateIntervalMs: 300 })
const dm = payload("dm-text")
const outTrackId = cardOutTrackId(settings.robotCode, String(dm.msgId))
const STAFF = "0923451870123456"

/** Handles `data` while the TestClock runs `ms` forward in 50 ms steps. */
const handleOver = (data: unknown, ms: number) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(handle(data))
    for (let elapsed = 0; elapsed < ms; elapsed += 50) yield* TestClock.adjust("50 millis")
    return yield* Fiber.join(fiber)
  })

const qps = () =>
  new CardFailed({ reason: "qps", status: 403, retryable: true, retryAfterMs: 1_000, message: "QpsLimit" })
const serverError = () =>
  new CardFailed({ reason: "http", status: 500, retryable: true, message: "HTTP 500" })

describe("streamReply (replyMode card)", () => {
  it.effect(
    "opens the card before the first token, coalesces deltas, and finalizes with the whole answer",
    () => {
      const world = cardWorld()
      world.agent.respondWith(() =>
        Stream.concat(
          Stream.fromEffect(Effect.sleep("2 seconds")).pipe(Stream.drain),
          scriptedChunks(
            Array.from({ length: 20 }, (_, index) => `第${index}段\n`),
            "50 millis",
          ),
        ),
      )
      return Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(handle(dm))
        yield* TestClock.adjust("100 millis")
        expect(world.cards.cards.get(outTrackId)).toMatchObject({
          space: { kind: "dm", staffId: STAFF },
          content: "",
        })
        for (let step = 0; step < 80; step += 1) yield* TestClock.adjust("50 millis")
        const outcome = yield* Fiber.join(fiber)
        expect(outcome).toMatchObject({ _tag: "Replied", kind: "answer", card: true })
        const card = world.cards.cards.get(outTrackId)
        const updates = card?.updates ?? []
        expect(updates.at(-1)).toMatchObject({ final: true, error: false })
        expect(updates.filter((update) => update.final)).toHaveLength(1)
        expect(card?.content).toContain("第0段<br>\n第1段")
        expect(card?.content).toContain("第19段")
        // 1 s of streaming at one update per 300 ms at most, plus the final one.
        expect(updates.length).toBeLessThanOrEqual(5)
        expect(updates.length).toBeGreaterThanOrEqual(3)
        expect(world.webhook.sent).toHaveLength(0)
        expect((yield* (yield* ChannelMetrics).snapshot).cards).toBe(1)
      }).pipe(inWorld(world))
    },
  )

  it.effect("finalizes an agent failure as an error card with the apology", () => {
    const world = cardWorld()
    world.agent.respondWith(() =>
      Stream.concat(
        scriptedChunks(["半句"]),
        Stream.fail(new AgentFailed({ reason: "timeout", message: "slow" })),
      ),
    )
    return Effect.gen(function* () {
      const outcome = yield* handleOver(dm, 500)
      expect(outcome).toMatchObject({ _tag: "Replied", kind: "apology", card: true })
      expect(world.cards.cards.get(outTrackId)).toMatchObject({
        content: FRIENDLY_REPLIES.agentFailed,
        finalized: true,
        error: true,
      })
      expect(world.webhook.sent).toHaveLength(0)
    }).pipe(inWorld(world))
  })

  it.effect("answers /new in a card", () => {
    const world = cardWorld()
    return Effect.gen(function* () {
      yield* handleOver(payload("dm-text", { text: { content: "/new" } }), 200)
      expect(world.cards.cards.get(outTrackId)).toMatchObject({
        content: FRIENDLY_REPLIES.sessionReset,
        finalized: true,
      })
      expect(world.agent.resets).toHaveLength(1)
    }).pipe(inWorld(world))
  })

  it.effect("sends Markdown once when the card cannot be created, and remembers why", () => {
    const world = cardWorld()
    world.cards.failNext(
      "create",
      new CardFailed({
        reason: "permission",
        permission: "Card.Instance.Write",
        retryable: false,
        message: "403",
      }),
    )
    return Effect.gen(function* () {
      const outcome = yield* handleOver(dm, 200)
      expect(outcome).toMatchObject({ _tag: "Replied", webhookParts: 1 })
      expect(world.webhook.sent).toHaveLength(1)
      expect(world.cards.cards.size).toBe(0)
      expect(world.cards.calls.filter((call) => call.operation === "create")).toHaveLength(1)
      const metrics = yield* (yield* ChannelMetrics).snapshot
      expect(metrics).toMatchObject({
        cardFallbacks: 1,
        lastCardTrouble: { reason: "permission", permission: "Card.Instance.Write" },
      })
    }).pipe(inWorld(world))
  })

  it.effect(
    "retries a create that failed transiently, and a create that got through counts as the card",
    () => {
      const world = cardWorld()
      world.cards.failNext("create", serverError(), qps())
      return Effect.gen(function* () {
        const outcome = yield* handleOver(dm, 3_000)
        expect(outcome).toMatchObject({ _tag: "Replied", card: true })
        expect(world.cards.calls.filter((call) => call.operation === "create")).toHaveLength(3)
        expect(world.webhook.sent).toHaveLength(0)
      }).pipe(inWorld(world))
    },
  )

  it.effect("sends the full answer as Markdown and points the card at it when it cannot be finalized", () => {
    const world = cardWorld()
    world.cards.failNext("finalize", ...Array.from({ length: 5 }, serverError))
    return Effect.gen(function* () {
      const outcome = yield* handleOver(dm, 20_000)
      expect(outcome).toMatchObject({ _tag: "Replied" })
      expect(world.webhook.sent.map((send) => send.message.text)).toEqual(["明天的周会几点开始？"])
      expect(world.cards.cards.get(outTrackId)).toMatchObject({ content: CARD_POINTER, finalized: true })
    }).pipe(inWorld(world))
  })

  it.effect("slows down after QpsLimit and never drops the final update", () => {
    const world = cardWorld()
    world.agent.respondWith(() =>
      scriptedChunks(
        Array.from({ length: 40 }, (_, index) => `${index} `),
        "50 millis",
      ),
    )
    world.cards.failNext("stream", qps(), qps())
    world.cards.failNext("finalize", qps())
    return Effect.gen(function* () {
      const outcome = yield* handleOver(dm, 6_000)
      expect(outcome).toMatchObject({ _tag: "Replied", card: true })
      const card = world.cards.cards.get(outTrackId)
      expect(card?.content).toBe(Array.from({ length: 40 }, (_, index) => `${index} `).join(""))
      expect(card?.updates.filter((update) => update.final)).toHaveLength(1)
      // Two throttled updates: at least 1 s apart from the next call each time, so at most one more update in 2 s.
      expect(card?.updates.filter((update) => !update.final).length).toBeLessThanOrEqual(1)
    }).pipe(inWorld(world))
  })

  it.effect("never opens a second card when the same message is answered again (a restart forgot it)", () => {
    const first = cardWorld()
    const restarted = makeWorld({ replyMode: "card" }, { cards: first.cards })
    return Effect.gen(function* () {
      yield* handleOver(dm, 200).pipe(inWorld(first))
      const outcome = yield* handleOver(dm, 200).pipe(inWorld(restarted))
      expect(outcome).toMatchObject({ _tag: "Replied", card: true })
      expect(first.cards.calls.filter((call) => call.operation === "create")).toHaveLength(2)
      expect(first.cards.cards.size).toBe(1)
      expect(restarted.webhook.sent).toHaveLength(0)
    })
  })

  it.effect("follows a group's own replyMode over the channel's", () => {
    const world = makeWorld({ groups: { "*": { replyMode: "card" } } })
    return Effect.gen(function* () {
      const group = payload("group-text")
      const outcome = yield* handleOver(group, 200)
      expect(outcome).toMatchObject({ _tag: "Replied", card: true })
      expect(world.cards.cards.get(cardOutTrackId(settings.robotCode, String(group.msgId)))).toMatchObject({
        space: { kind: "group", openConversationId: group.conversationId },
        finalized: true,
      })
      yield* handleOver({ ...dm, msgId: "msgDmOfTheSameWorld==" }, 200)
      expect(world.webhook.sent).toHaveLength(1)
      expect(world.cards.cards.size).toBe(1)
    }).pipe(inWorld(world))
  })
})
