import { describe, expect, it } from "@effect/vitest"
import {
  CARD_INTERRUPTED,
  cardOutTrackId,
  type InboundFrame,
  InboundJournal,
  ReplyCard,
} from "@openpollen/core"
import {
  MemoryInboundJournal,
  type makeFakeReplyCard,
  makeMemoryJournalBacking,
} from "@openpollen/core/testing"
import { Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { frame, handleFrame, makeWorld, payload, settings } from "./world.js"

const dm = payload("dm-text")
const outTrackId = cardOutTrackId(settings.robotCode, String(dm.msgId))
const STAFF = "0923451870123456"
/** The frame as the journal hands it back after a crash: a card was opened for it. */
const replayed: InboundFrame = { ...frame(dm), journalId: "7", cardOpened: true }

const handleOver = (inbound: InboundFrame, ms: number) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(handleFrame(inbound))
    for (let elapsed = 0; elapsed < ms; elapsed += 50) yield* TestClock.adjust("50 millis")
    return yield* Fiber.join(fiber)
  })

/** The card the killed process opened and left processing. */
const strandedCard = (cards: ReturnType<typeof makeFakeReplyCard>) =>
  Effect.gen(function* () {
    const replyCard = yield* ReplyCard
    yield* replyCard.create({ outTrackId, space: { kind: "dm", staffId: STAFF } })
    yield* replyCard.stream(outTrackId, { content: "半句" })
  }).pipe(Effect.provide(cards.layer))

describe("a card an earlier run left processing", () => {
  it.effect(
    "is answered in again when the replay goes the card path: one card, finalized with the answer",
    () => {
      const world = makeWorld({ replyMode: "card", cardUpdateIntervalMs: 300 })
      return Effect.gen(function* () {
        yield* strandedCard(world.cards)
        const outcome = yield* handleOver(replayed, 500)
        expect(outcome).toMatchObject({ _tag: "Replied", card: true })
        expect(world.cards.cards.size).toBe(1)
        expect(world.cards.cards.get(outTrackId)).toMatchObject({ finalized: true, error: false })
        expect(world.cards.cards.get(outTrackId)?.content).not.toBe(CARD_INTERRUPTED)
        expect(world.webhook.sent).toHaveLength(0)
      }).pipe(Effect.provide(world.layer))
    },
  )

  it.effect("is closed with the notice when the replay answers in Markdown, which goes once", () => {
    const world = makeWorld({ replyMode: "markdown" })
    return Effect.gen(function* () {
      yield* strandedCard(world.cards)
      const outcome = yield* handleOver(replayed, 500)
      expect(outcome).toMatchObject({ _tag: "Replied" })
      expect(world.cards.cards.get(outTrackId)).toMatchObject({
        content: CARD_INTERRUPTED,
        finalized: true,
        error: true,
      })
      expect(world.webhook.sent).toHaveLength(1)
    }).pipe(Effect.provide(world.layer))
  })

  it.effect("is left alone when the message was already answered, and when no card was noted", () => {
    const world = makeWorld({ replyMode: "markdown" })
    return Effect.gen(function* () {
      yield* strandedCard(world.cards)
      const { journalId: _, cardOpened: __, ...plain } = replayed
      yield* handleOver({ ...plain, journalId: "8" }, 500)
      expect(world.cards.cards.get(outTrackId)?.finalized).toBe(false)
      const again = yield* handleOver(replayed, 500)
      expect(again).toMatchObject({ _tag: "Duplicate", state: "done" })
      expect(world.cards.cards.get(outTrackId)?.finalized).toBe(false)
    }).pipe(Effect.provide(world.layer))
  })

  it.effect("a journalled message notes its card in the journal before the card is created", () => {
    const world = makeWorld({ replyMode: "card", cardUpdateIntervalMs: 300 })
    const backing = makeMemoryJournalBacking()
    return Effect.gen(function* () {
      const journal = yield* InboundJournal
      const recorded = yield* journal.record(frame(dm))
      const fiber = yield* Effect.forkChild(handleFrame(recorded))
      yield* TestClock.adjust("10 millis")
      const row = backing.rows.get(recorded.journalId ?? "")
      expect(row?.frame.cardOpened).toBe(true)
      for (let elapsed = 0; elapsed < 500; elapsed += 50) yield* TestClock.adjust("50 millis")
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "Replied", card: true })
    }).pipe(Effect.provide(Layer.merge(world.layer, MemoryInboundJournal.layer(backing))), Effect.scoped)
  })
})
