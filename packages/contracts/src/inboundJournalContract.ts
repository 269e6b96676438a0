import { describe, expect, it } from "@effect/vitest"
import { type InboundFrame, InboundJournal } from "@openpollen/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/** Journal instances over one shared store (a Redis prefix, a SQLite file, a memory backing). */
export interface JournalInstances<E, R = InboundJournal> {
  /** A new instance; closing the scope it is built in is that instance dying. */
  readonly open: (options: { readonly leaseMs: number; readonly maxDeliveries?: number }) => Layer.Layer<R, E>
}

export const frameOf = (id: string, conversationId = `cid-${id}==`): InboundFrame => ({
  frameMessageId: id,
  data: { msgId: `msg-${id}`, conversationId, text: { content: `你好 ${id} 👋🏽` } },
  receivedAt: 1_700_000_000_000,
})

export const openInstance = <E, R>(
  instances: JournalInstances<E, R>,
  leaseMs: number,
  maxDeliveries?: number,
) =>
  Effect.map(
    Layer.build(instances.open({ leaseMs, ...(maxDeliveries === undefined ? {} : { maxDeliveries }) })),
    (context) => context as Context.Context<R>,
  )

export const takeOrphans = (journal: InboundJournal["Service"], count: number, withinMs: number) =>
  journal.orphans.pipe(
    Stream.take(count),
    Stream.runCollect,
    Effect.timeoutOption(withinMs),
    Effect.map((found) => (found._tag === "Some" ? [...found.value] : undefined)),
  )

/**
 * Every InboundJournal keeps what it recorded until settled: what an instance held when it died is handed to the
 * next instance, oldest first, once each; what an instance releases comes back after the lease; a settled frame
 * never comes back.
 */
export const inboundJournalContract = <E>(name: string, makeInstances: () => JournalInstances<E>) =>
  describe(`InboundJournal contract: ${name}`, () => {
    const LEASE_MS = 200

    it.live("records a frame unchanged, with a journalId of its own", () =>
      Effect.gen(function* () {
        const journal = Context.get(yield* openInstance(makeInstances(), LEASE_MS), InboundJournal)
        const [a, b] = [yield* journal.record(frameOf("a")), yield* journal.record(frameOf("b"))]
        expect(a).toMatchObject(frameOf("a"))
        expect(typeof a.journalId).toBe("string")
        expect(a.journalId).not.toBe(b.journalId)
      }).pipe(Effect.scoped),
    )

    /** An instance in its own scope; `die` closes that scope as a crash would end the process. */
    const openDoomedInstance = (instances: ReturnType<typeof makeInstances>) =>
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const journal = Context.get(
          yield* openInstance(instances, LEASE_MS).pipe(Scope.provide(scope)),
          InboundJournal,
        )
        return { journal, die: Scope.close(scope, Exit.void) }
      })

    it.live("hands what a dead instance never settled to the next one, oldest first, once each", () =>
      Effect.gen(function* () {
        const instances = makeInstances()
        const { journal: first, die } = yield* openDoomedInstance(instances)
        const recorded: Array<InboundFrame> = []
        for (const id of ["f-1", "f-2", "f-3", "f-4"]) recorded.push(yield* first.record(frameOf(id)))
        yield* first.settle(recorded[1] as InboundFrame)
        yield* die

        const next = Context.get(yield* openInstance(instances, LEASE_MS), InboundJournal)
        const orphans = yield* takeOrphans(next, 3, LEASE_MS * 15)
        expect(orphans?.map((orphan) => orphan.frameMessageId)).toEqual(["f-1", "f-3", "f-4"])
        expect(orphans?.[0]).toEqual(recorded[0])
        for (const orphan of orphans ?? []) yield* next.settle(orphan)
        expect(yield* takeOrphans(next, 1, LEASE_MS * 4)).toBeUndefined()
      }).pipe(Effect.scoped),
    )

    it.live("never hands a live instance what it holds; what it releases comes back after the lease", () =>
      Effect.gen(function* () {
        const journal = Context.get(yield* openInstance(makeInstances(), LEASE_MS), InboundJournal)
        const held = yield* journal.record(frameOf("held"))
        const released = yield* journal.record(frameOf("released"))
        yield* journal.release(released)
        const started = Date.now()
        const back = yield* takeOrphans(journal, 1, LEASE_MS * 15)
        expect(Date.now() - started).toBeGreaterThanOrEqual(LEASE_MS / 2)
        expect(back?.map((frame) => frame.journalId)).toEqual([released.journalId])
        yield* journal.settle(back?.[0] as InboundFrame)
        expect(yield* takeOrphans(journal, 1, LEASE_MS * 4)).toBeUndefined()
        yield* journal.settle(held)
      }).pipe(Effect.scoped),
    )

    it.live("hands a frame back with cardOpened once a card was noted for it, and only then", () =>
      Effect.gen(function* () {
        const instances = makeInstances()
        const { journal: first, die } = yield* openDoomedInstance(instances)
        const plain = yield* first.record(frameOf("plain"))
        const carded = yield* first.record(frameOf("carded"))
        yield* first.noteCard(carded)
        yield* first.noteCard(carded)
        yield* die

        const next = Context.get(yield* openInstance(instances, LEASE_MS), InboundJournal)
        const orphans = yield* takeOrphans(next, 2, LEASE_MS * 15)
        expect(orphans).toEqual([plain, { ...carded, cardOpened: true }])
        for (const orphan of orphans ?? []) yield* next.settle(orphan)
      }).pipe(Effect.scoped),
    )

    it.live("hands a frame back with the media its answer still had to send, as last noted", () =>
      Effect.gen(function* () {
        const instances = makeInstances()
        const { journal: first, die } = yield* openDoomedInstance(instances)
        const plain = yield* first.record(frameOf("plain"))
        const withMedia = yield* first.record(frameOf("with-media"))
        const chart = { _tag: "Local", kind: "image", fileName: "图表.png", path: "out/图表.png" } as const
        const report = {
          _tag: "Local",
          kind: "file",
          fileName: "report.pdf",
          path: "/ws/report.pdf",
        } as const
        const photo = { _tag: "Remote", fileName: "photo.jpg", url: "https://example.com/photo.jpg" } as const
        yield* first.noteMedia(withMedia, [chart, report, photo])
        yield* first.noteCard(withMedia)
        // The image went out: what is left replaces the earlier list.
        yield* first.noteMedia(withMedia, [report, photo])
        yield* die

        const next = Context.get(yield* openInstance(instances, LEASE_MS), InboundJournal)
        const orphans = yield* takeOrphans(next, 2, LEASE_MS * 15)
        expect(orphans).toEqual([plain, { ...withMedia, cardOpened: true, pendingMedia: [report, photo] }])
        for (const orphan of orphans ?? []) yield* next.settle(orphan)
        expect(yield* takeOrphans(next, 1, LEASE_MS * 4)).toBeUndefined()
      }).pipe(Effect.scoped),
    )

    it.live("keeps many concurrent records apart", () =>
      Effect.gen(function* () {
        const journal = Context.get(yield* openInstance(makeInstances(), LEASE_MS), InboundJournal)
        const recorded = yield* Effect.all(
          Array.from({ length: 100 }, (_, index) => journal.record(frameOf(`r-${index}`))),
          { concurrency: "unbounded" },
        )
        expect(new Set(recorded.map((frame) => frame.journalId)).size).toBe(100)
        expect(recorded.map((frame) => frame.frameMessageId)).toEqual(
          Array.from({ length: 100 }, (_, index) => `r-${index}`),
        )
      }).pipe(Effect.scoped),
    )
  })
