import { describe, expect, it } from "@effect/vitest"
import { DeadLetters, type InboundFrame, InboundJournal } from "@openpollen/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { frameOf, type JournalInstances, openInstance, takeOrphans } from "./inboundJournalContract.js"

/**
 * A frame handed out more than `maxDeliveries` times without being settled becomes a dead letter, listed by ids
 * only; retry hands it out again, drop forgets it.
 */
export const deadLettersContract = <E>(
  name: string,
  makeInstances: () => JournalInstances<E, InboundJournal | DeadLetters>,
) =>
  describe(`DeadLetters contract: ${name}`, () => {
    const LEASE_MS = 150

    /** Records a frame and releases it until the journal gives up on it (2 deliveries allowed). */
    const exhaust = (journal: InboundJournal["Service"], frame: InboundFrame) =>
      Effect.gen(function* () {
        yield* journal.release(yield* journal.record(frame))
        const again = yield* takeOrphans(journal, 1, LEASE_MS * 15)
        expect(again?.[0]?.frameMessageId).toBe(frame.frameMessageId)
        yield* journal.release(again?.[0] as InboundFrame)
        expect(yield* takeOrphans(journal, 1, LEASE_MS * 5)).toBeUndefined()
      })

    it.live("moves a frame handed out too often aside, lists it by ids, and retries it", () =>
      Effect.gen(function* () {
        const context = yield* openInstance(makeInstances(), LEASE_MS, 2)
        const [journal, dead] = [Context.get(context, InboundJournal), Context.get(context, DeadLetters)]
        expect(yield* dead.count).toBe(0)
        yield* exhaust(journal, frameOf("poison", "cid-poison=="))
        expect(yield* dead.count).toBe(1)
        const [letter] = yield* dead.list(10)
        expect(letter).toMatchObject({ msgId: "msg-poison", conversationId: "cid-poison==", deliveries: 3 })
        expect(JSON.stringify(letter)).not.toContain("你好")
        expect(yield* dead.retry(letter?.id ?? "")).toBe(true)
        expect(yield* dead.count).toBe(0)
        const back = yield* takeOrphans(journal, 1, LEASE_MS * 15)
        expect(back?.[0]?.data).toEqual(frameOf("poison", "cid-poison==").data)
        yield* journal.settle(back?.[0] as InboundFrame)
        expect(yield* dead.retry(letter?.id ?? "")).toBe(false)
      }).pipe(Effect.scoped),
    )

    it.live("drops a dead letter for good", () =>
      Effect.gen(function* () {
        const context = yield* openInstance(makeInstances(), LEASE_MS, 2)
        const [journal, dead] = [Context.get(context, InboundJournal), Context.get(context, DeadLetters)]
        yield* exhaust(journal, frameOf("drop-me"))
        const [letter] = yield* dead.list(10)
        expect(yield* dead.drop(letter?.id ?? "")).toBe(true)
        expect(yield* dead.drop(letter?.id ?? "")).toBe(false)
        expect(yield* dead.count).toBe(0)
        expect(yield* takeOrphans(journal, 1, LEASE_MS * 4)).toBeUndefined()
      }).pipe(Effect.scoped),
    )
  })
