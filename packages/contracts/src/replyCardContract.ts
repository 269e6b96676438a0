import { describe, expect, it } from "@effect/vitest"
import { type CardSpace, ReplyCard } from "@openpollen/core"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"

export interface CardView {
  readonly content: string
  readonly finalized: boolean
  readonly error: boolean
  /** Accepted updates, the final one included. */
  readonly updates: number
}

export interface ReplyCardHarness<E> {
  readonly layer: Layer.Layer<ReplyCard, E>
  /** A layer whose card template does not exist. */
  readonly unknownTemplateLayer: Layer.Layer<ReplyCard, E>
  /** A group the robot is in. */
  readonly group: () => Promise<string>
  /** A user the robot can reach; returns their staffId. */
  readonly user: () => Promise<string>
  /** A staffId the card cannot be delivered to. */
  readonly unreachableUser: () => Promise<string>
  readonly card: (outTrackId: string) => Promise<CardView | undefined>
  /** The next card call is refused because the app lacks Card.Streaming.Write. */
  readonly denyStreamingOnce: () => Promise<void>
  /** The next card call gets DingTalk's QpsLimit 403. */
  readonly throttleOnce: () => Promise<void>
}

let sequence = 0
const nextOutTrackId = () => {
  sequence += 1
  return `contract_${Date.now().toString(36)}_${sequence}`
}

/** A ReplyCard opens one card per outTrackId, streams whole-text updates into it, finalizes it once, and says why not. */
export const replyCardContract = <E>(name: string, makeHarness: () => ReplyCardHarness<E>) =>
  describe(`ReplyCard contract: ${name}`, () => {
    const open = (harness: ReplyCardHarness<E>, space: CardSpace) =>
      Effect.gen(function* () {
        const outTrackId = nextOutTrackId()
        expect(yield* (yield* ReplyCard).create({ outTrackId, space })).toBe("created")
        return outTrackId
      }).pipe(Effect.provide(harness.layer))

    it.effect("creates a group card, replaces its text on each update and finalizes it", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const group = yield* Effect.promise(harness.group)
        const outTrackId = yield* open(harness, { kind: "group", openConversationId: group })
        const cards = yield* ReplyCard
        yield* cards.stream(outTrackId, { content: "你好" })
        yield* cards.stream(outTrackId, { content: "你好，世界" })
        yield* cards.finalize(outTrackId, { content: "你好，世界！", error: false })
        expect(yield* Effect.promise(() => harness.card(outTrackId))).toEqual({
          content: "你好，世界！",
          finalized: true,
          error: false,
          updates: 3,
        })
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("finalizes a DM card as an error", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const staffId = yield* Effect.promise(harness.user)
        const outTrackId = yield* open(harness, { kind: "dm", staffId })
        yield* (yield* ReplyCard).finalize(outTrackId, { content: "抱歉", error: true })
        expect(yield* Effect.promise(() => harness.card(outTrackId))).toMatchObject({
          content: "抱歉",
          finalized: true,
          error: true,
        })
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("never opens a second card for the same outTrackId", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const staffId = yield* Effect.promise(harness.user)
        const outTrackId = yield* open(harness, { kind: "dm", staffId })
        const again = yield* (yield* ReplyCard).create({ outTrackId, space: { kind: "dm", staffId } })
        expect(again).toBe("existing")
        expect(yield* Effect.promise(() => harness.card(outTrackId))).toMatchObject({ updates: 0 })
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("refuses updates of a card that does not exist, for good", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const error = yield* (yield* ReplyCard).stream(nextOutTrackId(), { content: "x" }).pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "CardFailed", reason: "rejected", retryable: false })
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("reports a card DingTalk could not deliver to the user", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const staffId = yield* Effect.promise(harness.unreachableUser)
        const error = yield* (yield* ReplyCard)
          .create({ outTrackId: nextOutTrackId(), space: { kind: "dm", staffId } })
          .pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "CardFailed", reason: "rejected", retryable: false })
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("names an unknown template", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const group = yield* Effect.promise(harness.group)
        const error = yield* (yield* ReplyCard)
          .create({ outTrackId: nextOutTrackId(), space: { kind: "group", openConversationId: group } })
          .pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "CardFailed", reason: "template", retryable: false })
      }).pipe(Effect.provide(harness.unknownTemplateLayer))
    })

    it.effect("names the permission to grant", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const group = yield* Effect.promise(harness.group)
        const outTrackId = yield* open(harness, { kind: "group", openConversationId: group })
        yield* Effect.promise(harness.denyStreamingOnce)
        const error = yield* (yield* ReplyCard).stream(outTrackId, { content: "x" }).pipe(Effect.flip)
        expect(error).toMatchObject({
          _tag: "CardFailed",
          reason: "permission",
          permission: "Card.Streaming.Write",
          retryable: false,
        })
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("reports QpsLimit as retryable after at least a second", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const group = yield* Effect.promise(harness.group)
        const outTrackId = yield* open(harness, { kind: "group", openConversationId: group })
        yield* Effect.promise(harness.throttleOnce)
        const error = yield* (yield* ReplyCard).stream(outTrackId, { content: "x" }).pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "CardFailed", reason: "qps", retryable: true })
        expect(error.retryAfterMs ?? 0).toBeGreaterThanOrEqual(1000)
      }).pipe(Effect.provide(harness.layer))
    })
  })
