import { describe, expect, it } from "@effect/vitest"
import { type InboundFrame, InboundJournal } from "@openpollen/core"
import { RedisConnection, RedisInboundJournal } from "@openpollen/redis"
import { Effect, Exit, Layer, Scope, Stream } from "effect"
import { buildService, connectionLayer, freshPrefix } from "./redisHarness.js"

/** One bot instance's journal, on a Redis client of its own. */
const instance = (prefix: string, leaseMs: number) =>
  buildService(
    InboundJournal,
    RedisInboundJournal.layer({ leaseMs }).pipe(Layer.provide(connectionLayer(prefix))),
  )

const frame = (id: string): InboundFrame => ({
  frameMessageId: id,
  data: { msgId: `msg-${id}`, text: "你好" },
  receivedAt: 1,
})

const takeOrphans = (journal: InboundJournal["Service"], count: number) =>
  journal.orphans.pipe(Stream.take(count), Stream.runCollect)

describe("RedisInboundJournal across instances", () => {
  it.live(
    "what a dead instance recorded and never settled is taken over by another, once, after the lease",
    () =>
      Effect.gen(function* () {
        const prefix = freshPrefix()
        const doomed = yield* Scope.make()
        const a = yield* instance(prefix, 300).pipe(Scope.provide(doomed))
        const b = yield* instance(prefix, 300)
        const [one, two, three] = [
          yield* a.record(frame("f-1")),
          yield* a.record(frame("f-2")),
          yield* a.record(frame("f-3")),
        ]
        expect(one.journalId).toMatch(/^\d+-\d+$/)
        yield* a.settle(two)
        yield* Scope.close(doomed, Exit.void)
        const started = Date.now()
        const orphans = yield* takeOrphans(b, 2)
        expect(Date.now() - started).toBeGreaterThanOrEqual(200)
        expect(orphans.map((orphan) => orphan.frameMessageId)).toEqual(["f-1", "f-3"])
        expect(orphans[0]).toEqual({ ...frame("f-1"), journalId: one.journalId })
        expect(orphans[1]?.journalId).toBe(three.journalId)
        for (const orphan of orphans) yield* b.settle(orphan)
        const redis = yield* buildService(RedisConnection, connectionLayer(prefix))
        const length = yield* redis.run("xlen", (client) => client.xLen(`${prefix}inbound`))
        expect(length).toBe(0)
      }),
  )

  it.live(
    "a live instance keeps what it holds past the lease; what it releases comes back until settled",
    () =>
      Effect.gen(function* () {
        const prefix = freshPrefix()
        const a = yield* instance(prefix, 150)
        const b = yield* instance(prefix, 150)
        const slow = yield* a.record(frame("slow"))
        const early = yield* takeOrphans(b, 1).pipe(Effect.timeoutOption("600 millis"))
        expect(early._tag).toBe("None")
        yield* a.release(slow)
        const [first] = yield* takeOrphans(b, 1)
        expect(first?.journalId).toBe(slow.journalId)
        if (first !== undefined) yield* b.settle(first)
        const none = yield* takeOrphans(a, 1).pipe(Effect.timeoutOption("500 millis"))
        expect(none._tag).toBe("None")
      }),
  )

  it.live("instances recording at once each keep exactly their own entries", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const [a, b] = [yield* instance(prefix, 60_000), yield* instance(prefix, 60_000)]
      const recorded = yield* Effect.all(
        Array.from({ length: 200 }, (_, index) => (index % 2 === 0 ? a : b).record(frame(`r-${index}`))),
        { concurrency: "unbounded" },
      )
      expect(new Set(recorded.map((entry) => entry.journalId)).size).toBe(200)
      const redis = yield* buildService(RedisConnection, connectionLayer(prefix))
      const pending = yield* redis.run("xpending", (client) =>
        client.sendCommand(["XPENDING", `${prefix}inbound`, "openpollen"]),
      )
      const [count, , , consumers] = pending as unknown as [number, string, string, Array<[string, string]>]
      expect(count).toBe(200)
      expect(consumers.map(([, perConsumer]) => Number(perConsumer))).toEqual([100, 100])
    }),
  )
})
