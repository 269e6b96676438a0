import { describe, expect, it } from "@effect/vitest"
import { type InboundFrame, InboundJournal } from "@openpollen/core"
import { RedisConnection, RedisInboundJournal, type RedisInboundJournalOptions } from "@openpollen/redis"
import { Effect, Exit, Fiber, Layer, Logger, References, Scope, Stream } from "effect"
import { buildService, connectionLayer, freshPrefix } from "./redisHarness.js"

/** One bot instance's journal, on a Redis client of its own. */
const instance = (prefix: string, leaseMs: number, options: RedisInboundJournalOptions = {}) =>
  buildService(
    InboundJournal,
    RedisInboundJournal.layer({ leaseMs, ...options }).pipe(Layer.provide(connectionLayer(prefix))),
  )

/** Every log line as JSON with its annotations, to check what reaches a log and what never does. */
const captureLogs = () => {
  const lines: Array<string> = []
  const layer = Logger.layer([
    Logger.make(({ message, fiber }) => {
      lines.push(JSON.stringify({ message, annotations: fiber.getRef(References.CurrentLogAnnotations) }))
    }),
  ])
  return { lines, layer }
}

const SECRET_TEXT = "我的银行卡密码是 314159"
const SECRET_WEBHOOK = "https://oapi.dingtalk.com/robot/sendBySession?session=sess-secret-42"
const callback = (id: string): InboundFrame => ({
  frameMessageId: id,
  data: {
    msgId: `msg-${id}`,
    conversationId: `cid-${id}==`,
    text: { content: SECRET_TEXT },
    sessionWebhook: SECRET_WEBHOOK,
  },
  receivedAt: 1,
})

type ConsumerInfo = Array<string | number>
const consumersOf = (redis: RedisConnection["Service"], key: string) =>
  Effect.map(
    redis.run("xinfo", (client) => client.sendCommand(["XINFO", "CONSUMERS", key, "openpollen"])),
    (reply) =>
      (reply as unknown as Array<ConsumerInfo>).map((fields) => ({
        name: String(fields[fields.indexOf("name") + 1]),
        pending: Number(fields[fields.indexOf("pending") + 1]),
      })),
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

  it.live(
    "a frame whose handling keeps failing is handed out maxDeliveries times, then dead-lettered and logged by ids only",
    () => {
      const logs = captureLogs()
      return Effect.gen(function* () {
        const prefix = freshPrefix()
        const journal = yield* instance(prefix, 150, { maxDeliveries: 3 })
        const recorded = yield* journal.record(callback("poison"))
        yield* journal.release(recorded)
        const handedOut = [recorded.journalId]
        for (let attempt = 0; attempt < 2; attempt++) {
          const [again] = yield* takeOrphans(journal, 1)
          handedOut.push(again?.journalId)
          if (again !== undefined) yield* journal.release(again)
        }
        expect(handedOut).toEqual([recorded.journalId, recorded.journalId, recorded.journalId])
        const more = yield* takeOrphans(journal, 1).pipe(Effect.timeoutOption("1 second"))
        expect(more._tag).toBe("None")

        const redis = yield* buildService(RedisConnection, connectionLayer(prefix))
        expect(yield* redis.run("xlen", (client) => client.xLen(`${prefix}inbound`))).toBe(0)
        const pending = yield* redis.run("xpending", (client) =>
          client.sendCommand(["XPENDING", `${prefix}inbound`, "openpollen"]),
        )
        expect((pending as unknown as [number])[0]).toBe(0)
        const dead = (yield* redis.run("xrange", (client) =>
          client.sendCommand(["XRANGE", `${prefix}inbound:dead`, "-", "+"]),
        )) as unknown as Array<[string, Array<string>]>
        expect(dead).toHaveLength(1)
        const fields = dead[0]?.[1] ?? []
        const field = (name: string) => fields[fields.indexOf(name) + 1]
        expect(field("journalId")).toBe(recorded.journalId)
        expect(field("deliveries")).toBe("4")
        expect(JSON.parse(field("frame") ?? "{}")).toMatchObject({ frameMessageId: "poison" })

        const warning = logs.lines.filter((line) => line.includes("dead-letter"))
        expect(warning).toHaveLength(1)
        expect(warning[0]).toContain("msg-poison")
        expect(warning[0]).toContain("cid-poison==")
        for (const line of logs.lines) {
          expect(line).not.toContain(SECRET_TEXT)
          expect(line).not.toContain("sess-secret-42")
        }
      }).pipe(Effect.provide(logs.layer))
    },
  )

  it.live("a card mark has a day's TTL and goes when its entry is settled, here or by the next holder", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const redis = yield* buildService(RedisConnection, connectionLayer(prefix))
      const mark = (id: string | undefined) => `${prefix}inbound:card:${id}`
      const firstScope = yield* Scope.make()
      const first = yield* instance(prefix, 150).pipe(Scope.provide(firstScope))
      const here = yield* first.record(callback("here"))
      const there = yield* first.record(callback("there"))
      yield* first.noteCard(here)
      yield* first.noteCard(there)
      const ttl = yield* redis.run("pttl", (client) => client.pTTL(mark(here.journalId)))
      expect(ttl).toBeGreaterThan(3_600_000)
      yield* first.settle(here)
      expect(yield* redis.run("exists", (client) => client.exists(mark(here.journalId)))).toBe(0)
      yield* Scope.close(firstScope, Exit.void)

      const second = yield* instance(prefix, 150)
      const [taken] = yield* takeOrphans(second, 1)
      expect(taken).toMatchObject({ journalId: there.journalId, cardOpened: true })
      yield* second.settle(taken as InboundFrame)
      expect(yield* redis.run("exists", (client) => client.exists(mark(there.journalId)))).toBe(0)
    }),
  )

  it.live("a frame whose holders keep dying is dead-lettered by the instance that would take it next", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const firstScope = yield* Scope.make()
      const first = yield* instance(prefix, 150, { maxDeliveries: 2 }).pipe(Scope.provide(firstScope))
      const recorded = yield* first.record(callback("dies"))
      yield* Scope.close(firstScope, Exit.void)
      const secondScope = yield* Scope.make()
      const second = yield* instance(prefix, 150, { maxDeliveries: 2 }).pipe(Scope.provide(secondScope))
      const [taken] = yield* takeOrphans(second, 1)
      expect(taken?.journalId).toBe(recorded.journalId)
      yield* Scope.close(secondScope, Exit.void)
      const third = yield* instance(prefix, 150, { maxDeliveries: 2 })
      const none = yield* takeOrphans(third, 1).pipe(Effect.timeoutOption("1 second"))
      expect(none._tag).toBe("None")
      const redis = yield* buildService(RedisConnection, connectionLayer(prefix))
      expect(yield* redis.run("xlen", (client) => client.xLen(`${prefix}inbound:dead`))).toBe(1)
    }),
  )

  it.live(
    "idle consumers with nothing pending are removed; one still holding an entry never is, and a live one comes back",
    () =>
      Effect.gen(function* () {
        const prefix = freshPrefix()
        const key = `${prefix}inbound`
        const options = { pollEveryMs: 50, consumerIdleMs: 300 }
        const sweeper = yield* instance(prefix, 60_000, options)
        const live = yield* instance(prefix, 60_000, options)
        const redis = yield* buildService(RedisConnection, connectionLayer(prefix))
        yield* redis.run("ghosts", async (client) => {
          await client.sendCommand(["XGROUP", "CREATECONSUMER", key, "openpollen", "ghost-empty"])
          await client.sendCommand(["XADD", key, "*", "frame", JSON.stringify(callback("held"))])
          await client.sendCommand([
            "XREADGROUP",
            "GROUP",
            "openpollen",
            "ghost-holding",
            "STREAMS",
            key,
            ">",
          ])
        })
        yield* live.settle(yield* live.record(callback("answered")))
        const before = (yield* consumersOf(redis, key)).map((consumer) => consumer.name)
        expect(before).toEqual(expect.arrayContaining(["ghost-empty", "ghost-holding"]))
        expect(before).toHaveLength(3)

        yield* Effect.sleep("400 millis")
        const polling = yield* Stream.runDrain(sweeper.orphans).pipe(Effect.forkChild)
        yield* Effect.sleep("300 millis")
        yield* Fiber.interrupt(polling)
        const left = yield* consumersOf(redis, key)
        expect(left.filter((consumer) => before.includes(consumer.name))).toEqual([
          { name: "ghost-holding", pending: 1 },
        ])

        const again = yield* live.record(callback("after"))
        const after = yield* consumersOf(redis, key)
        expect(after.filter((consumer) => consumer.pending === 1).map((consumer) => consumer.name)).toEqual(
          expect.arrayContaining(["ghost-holding", before.find((name) => !name.startsWith("ghost-"))]),
        )
        yield* live.settle(again)
      }),
  )
})
