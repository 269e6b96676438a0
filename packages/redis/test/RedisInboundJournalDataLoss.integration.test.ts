import { describe, expect, it } from "@effect/vitest"
import { type InboundFrame, InboundJournal } from "@openpollen/core"
import { RedisConnection, RedisInboundJournal } from "@openpollen/redis"
import { Effect, Layer, Stream } from "effect"
import { buildService, connectionLayer, freshPrefix } from "./redisHarness.js"

const frame = (id: string): InboundFrame => ({
  frameMessageId: id,
  data: { msgId: `msg-${id}`, text: "你好" },
  receivedAt: 1,
})

/** What FLUSHALL or a restart without persistence does to one deployment's journal: its stream and group are gone. */
const loseTheJournal = (prefix: string) =>
  Effect.gen(function* () {
    const redis = yield* buildService(RedisConnection, connectionLayer(prefix))
    yield* redis.run("lose data", (client) => client.del(`${prefix}inbound`))
  })

describe("RedisInboundJournal after Redis lost its data", () => {
  it.live("records again (the consumer group is created anew) and settles what it records", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const journal = yield* buildService(
        InboundJournal,
        RedisInboundJournal.layer({ leaseMs: 300 }).pipe(Layer.provide(connectionLayer(prefix))),
      )
      yield* journal.record(frame("before"))
      yield* loseTheJournal(prefix)
      const after = yield* journal.record(frame("after"))
      expect(after.journalId).toBeDefined()
      yield* journal.settle(after)
      yield* journal.release(after)
      expect(yield* Effect.exit(journal.record(frame("again")))).toMatchObject({ _tag: "Success" })
    }),
  )

  it.live("takes over what a dead instance recorded after the loss", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const layer = RedisInboundJournal.layer({ leaseMs: 300 }).pipe(Layer.provide(connectionLayer(prefix)))
      const survivor = yield* buildService(InboundJournal, layer)
      yield* loseTheJournal(prefix)
      const doomed = yield* buildService(InboundJournal, layer)
      yield* loseTheJournal(prefix)
      const recorded = yield* doomed.record(frame("orphan"))
      yield* doomed.release(recorded)
      const [taken] = yield* survivor.orphans.pipe(
        Stream.take(1),
        Stream.runCollect,
        Effect.timeout("5 seconds"),
      )
      expect(taken?.frameMessageId).toBe("orphan")
    }),
  )
})
