import { it } from "@effect/vitest"
import { type InboundFrame, type InboundJournal, InboundJournalError, IntakeGate } from "@openpollen/core"
import { emptyCounters, receiveFrame, StreamClient } from "@openpollen/stream/internal"
import { type Cause, Effect, Option, Queue, Stream } from "effect"
import { describe, expect } from "vitest"
import WebSocket from "ws"

const callback = (messageId: string, data: string, topic = "/v1.0/im/bot/messages/get") =>
  JSON.stringify({
    specVersion: "1.0",
    type: "CALLBACK",
    headers: { topic, messageId, contentType: "application/json", time: "1" },
    data,
  })

const journalOf = (record: InboundJournal["Service"]["record"]): InboundJournal["Service"] => ({
  record,
  noteCard: () => Effect.void,
  noteMedia: () => Effect.void,
  settle: () => Effect.void,
  release: () => Effect.void,
  orphans: Stream.empty,
})

/** A journal that records every frame at once, under its frameMessageId, and lists what it recorded. */
const recordingJournal = () => {
  const recorded: Array<string> = []
  const journal = journalOf((frame) =>
    Effect.sync(() => {
      recorded.push(frame.frameMessageId)
      return { ...frame, journalId: frame.frameMessageId }
    }),
  )
  return { recorded, journal }
}

const harness = (journal?: InboundJournal["Service"], gate?: IntakeGate["Service"]) =>
  Effect.gen(function* () {
    const written: Array<{ headers: { messageId: string }; data: string }> = []
    const events: Array<string> = []
    const socket = {
      readyState: WebSocket.OPEN,
      send: (text: string) => {
        const frame = JSON.parse(text) as { headers: { messageId: string }; data: string }
        events.push(`ack:${frame.headers.messageId}`)
        written.push(frame)
      },
    } as unknown as WebSocket
    const frames = yield* Queue.unbounded<InboundFrame, Cause.Done>()
    const counters = emptyCounters()
    const pending: Array<Promise<unknown>> = []
    const receive = receiveFrame(
      new StreamClient("dingid", socket),
      {
        frames,
        journal: Option.fromUndefinedOr(journal),
        gate: Option.fromUndefinedOr(gate),
        counters,
        run: (effect) => void pending.push(Effect.runPromise(effect)),
      },
      {
        onFrame: () => events.push("frame"),
        onServerDisconnect: (reason) => events.push(`disconnect:${reason}`),
      },
    )
    const queued = () => Queue.clear(frames).pipe(Effect.map((all) => [...all]))
    const settle = Effect.promise(() => Promise.all(pending.splice(0)))
    return { receive, written, events, counters, queued, settle, pending }
  })

describe("receiveFrame: socket text → ACK → frames", () => {
  it.effect("ACKs a robot callback exactly once, with its own messageId, and queues its parsed data", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      h.receive(callback("m-1", '{"msgId":"x"}'))
      expect(h.events).toEqual(["frame", "ack:m-1"])
      expect(h.written).toEqual([expect.objectContaining({ data: '{"response":null}' })])
      expect(yield* h.queued()).toMatchObject([{ frameMessageId: "m-1", data: { msgId: "x" } }])
      expect(h.counters).toMatchObject({ acks: 1, callbacks: 1, badFrames: 0 })
    }),
  )

  it.effect(
    "leaves callbacks un-ACKed, unrecorded and unqueued while the IntakeGate is shut and holds none, and logs once",
    () =>
      Effect.gen(function* () {
        const gate = yield* IntakeGate.pipe(Effect.provide(IntakeGate.layer(2, { maxWaiting: 0 })))
        const { recorded, journal } = recordingJournal()
        const h = yield* harness(journal, gate)
        gate.reportBacklog(2)
        for (const id of ["m-1", "m-2", "m-3"]) h.receive(callback(id, '{"msgId":"x"}'))
        expect(h.pending).toHaveLength(1)
        yield* h.settle
        expect(h.written).toEqual([])
        expect(recorded).toEqual([])
        expect(yield* h.queued()).toEqual([])
        expect(h.counters).toMatchObject({ acks: 0, callbacks: 0, deferredByBacklog: 3 })
        gate.reportBacklog(1)
        h.receive(callback("m-4", '{"msgId":"y"}'))
        // m-4 is accepted and not yet taken by the runner: it counts, so m-5 finds the gate shut.
        h.receive(callback("m-5", '{"msgId":"z"}'))
        yield* h.settle
        expect(h.written.map((frame) => frame.headers.messageId)).toEqual(["m-4"])
        expect(recorded).toEqual(["m-4"])
        expect(h.counters).toMatchObject({ acks: 1, callbacks: 1, deferredByBacklog: 4 })
        expect(gate.backlog()).toBe(2)
      }),
  )

  it.effect(
    "holds callbacks that find the backlog full, records and ACKs them in order as room frees, and gives up stale ones",
    () =>
      Effect.gen(function* () {
        let now = 0
        const gate = yield* IntakeGate.pipe(
          Effect.provide(IntakeGate.layer(2, { maxWaiting: 2, maxWaitMs: 1_000, now: () => now })),
        )
        const { recorded, journal } = recordingJournal()
        const h = yield* harness(journal, gate)
        gate.reportBacklog(2)
        for (const id of ["m-1", "m-2", "m-3"]) h.receive(callback(id, `{"msgId":"${id}"}`))
        yield* h.settle
        expect(h.written).toEqual([])
        expect(h.counters).toMatchObject({ acks: 0, callbacks: 0, heldByBacklog: 2, deferredByBacklog: 1 })

        gate.reportBacklog(1)
        yield* h.settle
        expect(recorded).toEqual(["m-1"])
        expect(h.written.map((frame) => frame.headers.messageId)).toEqual(["m-1"])
        expect(yield* h.queued()).toMatchObject([{ frameMessageId: "m-1", data: { msgId: "m-1" } }])

        // m-2 still waits, so m-4 queues behind it although the runner's backlog just shrank.
        gate.reportBacklog(0)
        h.receive(callback("m-4", '{"msgId":"m-4"}'))
        yield* h.settle
        expect(recorded).toEqual(["m-1", "m-2"])
        expect(gate.backlog()).toBe(2)
        expect(h.counters).toMatchObject({ acks: 2, heldByBacklog: 3, deferredByBacklog: 1 })

        // m-4 waited past maxWaitMs: given up when m-5 arrives; m-5 gets the place m-1's leaving frees.
        now = 1_001
        h.receive(callback("m-5", '{"msgId":"m-5"}'))
        gate.leave()
        yield* h.settle
        expect(recorded).toEqual(["m-1", "m-2", "m-5"])
        expect(h.written.map((frame) => frame.headers.messageId)).toEqual(["m-1", "m-2", "m-5"])
        expect(h.counters).toMatchObject({ acks: 3, callbacks: 3, heldByBacklog: 4, deferredByBacklog: 2 })
      }),
  )

  it.effect("ACKs callbacks of other topics at once, without queueing them", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      h.receive(callback("c-1", "{}", "/v1.0/card/instances/callback"))
      expect(h.events).toEqual(["frame", "ack:c-1"])
      expect(yield* h.queued()).toEqual([])
    }),
  )

  it.effect("counts malformed frames, ACKs a callback whose data is not JSON, and never throws", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      for (const raw of [
        "{not json",
        "null",
        "[]",
        JSON.stringify({ type: "CALLBACK" }),
        JSON.stringify({ type: "CALLBACK", headers: { topic: "/v1.0/im/bot/messages/get" }, data: "{}" }),
        callback("m-2", "{oops"),
        JSON.stringify({
          type: "CALLBACK",
          headers: { topic: "/v1.0/im/bot/messages/get", messageId: "m-3" },
        }),
      ])
        expect(() => h.receive(raw)).not.toThrow()
      expect(h.counters.badFrames).toBe(7)
      expect(h.written.map((frame) => frame.headers.messageId)).toEqual(["m-2", "m-3"])
      expect(yield* h.queued()).toEqual([])
    }),
  )

  it.effect("echoes pings, ACKs events, and reports SYSTEM disconnect with its reason", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      h.receive(JSON.stringify({ type: "SYSTEM", headers: { topic: "ping", messageId: "p-1" }, data: "{}" }))
      h.receive(JSON.stringify({ type: "EVENT", headers: { topic: "*", messageId: "e-1" }, data: "{}" }))
      h.receive(
        JSON.stringify({
          type: "SYSTEM",
          headers: { topic: "disconnect", messageId: "d" },
          data: '{"reason":"connection is expired"}',
        }),
      )
      expect(h.events).toEqual([
        "frame",
        "ack:p-1",
        "frame",
        "ack:e-1",
        "frame",
        "disconnect:connection is expired",
      ])
      expect(h.written[1]?.data).toBe('{"status":"SUCCESS"}')
    }),
  )

  it.effect(
    "with a journal, ACKs only once it has recorded the callback, and never what it failed to record",
    () =>
      Effect.gen(function* () {
        let attempts = 0
        const h = yield* harness(
          journalOf((frame) =>
            Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5))).pipe(
              Effect.andThen(() => {
                attempts += 1
                return attempts === 1
                  ? Effect.fail(new InboundJournalError({ message: "redis down" }))
                  : Effect.succeed({ ...frame, journalId: `j-${attempts}` })
              }),
            ),
          ),
        )
        h.receive(callback("m-1", '{"msgId":"x"}'))
        expect(h.written).toEqual([])
        yield* h.settle
        expect(h.written).toEqual([])
        expect(yield* h.queued()).toEqual([])
        h.receive(callback("m-2", '{"msgId":"x"}'))
        expect(h.written).toEqual([])
        yield* h.settle
        expect(h.written.map((frame) => frame.headers.messageId)).toEqual(["m-2"])
        expect(yield* h.queued()).toMatchObject([{ frameMessageId: "m-2", journalId: "j-2" }])
      }),
  )
})
