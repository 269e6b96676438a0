import { describe, expect, it } from "@effect/vitest"
import {
  ChannelMetrics,
  type InboundFrame,
  InboundJournal,
  IntakeGate,
  startChannelRunner,
} from "@openpollen/core"
import { makeFakeTransport } from "@openpollen/core/testing"
import { type Cause, Effect, Fiber, Layer, Queue, Stream } from "effect"
import { TestClock } from "effect/testing"
import { makeWorld, payload } from "./world.js"

const text = (conversationId: string, msgId: string, content: string) =>
  payload("dm-text", { conversationId, msgId, text: { content } })

const withRunner = (world: ReturnType<typeof makeWorld>) =>
  Effect.gen(function* () {
    const transport = yield* makeFakeTransport
    const runner = yield* startChannelRunner.pipe(Effect.provide(Layer.merge(world.layer, transport.layer)))
    return { transport, runner }
  })

/** One worker, and an agent that answers each message after a second. */
const oneWorkerAnsweringInASecond = () => {
  const world = makeWorld({ maxConcurrentConversations: 1 })
  world.agent.respondWith((request) => Effect.sleep("1 second").pipe(Effect.as({ markdown: request.text })))
  return world
}

describe("startChannelRunner", () => {
  it.effect("answers messages of one conversation in arrival order", () => {
    const world = makeWorld()
    world.agent.respondWith((request) =>
      Effect.sleep(request.text === "first" ? "3 seconds" : "1 second").pipe(
        Effect.as({ markdown: request.text }),
      ),
    )
    return Effect.gen(function* () {
      const { transport, runner } = yield* withRunner(world)
      yield* transport.push(text("cidA==", "m1", "first"))
      yield* transport.push(text("cidA==", "m2", "second"))
      yield* TestClock.adjust("5 seconds")
      expect(world.webhook.sent.map((send) => send.message.text)).toEqual(["first", "second"])
      expect(yield* runner.pending).toBe(0)
    }).pipe(Effect.scoped, Effect.provide(world.layer))
  })

  it.effect(
    "reports its backlog to the IntakeGate, which shuts at the bound and opens once answers go out",
    () => {
      const world = oneWorkerAnsweringInASecond()
      return Effect.gen(function* () {
        const gate = yield* IntakeGate
        const { transport } = yield* withRunner(world)
        expect(gate.isOpen()).toBe(true)
        // A transport enters each callback before handing it over; the runner taking it keeps the count.
        for (const id of ["a", "b", "c"]) {
          gate.enter()
          yield* transport.push(text(`cid${id}==`, `m-${id}`, id))
        }
        yield* TestClock.adjust("10 millis")
        expect(gate.backlog()).toBe(3)
        expect(gate.isOpen()).toBe(false)
        yield* TestClock.adjust("1 second")
        expect(gate.backlog()).toBe(2)
        expect(gate.isOpen()).toBe(false)
        yield* TestClock.adjust("1 second")
        expect(gate.backlog()).toBe(1)
        expect(gate.isOpen()).toBe(true)
        yield* TestClock.adjust("1 second")
        expect(gate.backlog()).toBe(0)
        expect(world.webhook.sent).toHaveLength(3)
      }).pipe(Effect.scoped, Effect.provide(Layer.merge(world.layer, IntakeGate.layer(2))))
    },
  )

  it.effect(
    "lets a callback the IntakeGate holds in only when an answer frees a place, not when it takes a message",
    () => {
      const world = oneWorkerAnsweringInASecond()
      return Effect.gen(function* () {
        const gate = yield* IntakeGate
        const { transport } = yield* withRunner(world)
        const admitted: Array<string> = []
        gate.enter()
        yield* transport.push(text("cida==", "m-a", "a"))
        expect(
          gate.waitForRoom(
            () => admitted.push("b"),
            () => admitted.push("gave up b"),
          ),
        ).toBe(true)
        yield* TestClock.adjust("10 millis")
        // The runner took m-a: the backlog moved from the transport's count to the runner's, and stayed full.
        expect(admitted).toEqual([])
        expect(gate.backlog()).toBe(1)
        yield* TestClock.adjust("1 second")
        expect(world.webhook.sent).toHaveLength(1)
        expect(admitted).toEqual(["b"])
      }).pipe(Effect.scoped, Effect.provide(Layer.merge(world.layer, IntakeGate.layer(1))))
    },
  )

  it.effect("handles different conversations in parallel", () => {
    const world = makeWorld()
    world.agent.respondWith((request) =>
      Effect.sleep("2 seconds").pipe(Effect.as({ markdown: request.text })),
    )
    return Effect.gen(function* () {
      const { transport } = yield* withRunner(world)
      for (const id of ["a", "b", "c"]) yield* transport.push(text(`cid${id}==`, `m-${id}`, id))
      yield* TestClock.adjust("2 seconds")
      expect(world.webhook.sent.map((send) => send.message.text).sort()).toEqual(["a", "b", "c"])
    }).pipe(Effect.scoped, Effect.provide(world.layer))
  })

  it.effect("never runs more conversations at once than the cap", () => {
    const world = makeWorld({ maxConcurrentConversations: 2 })
    let running = 0
    let peak = 0
    world.agent.respondWith((request) =>
      Effect.gen(function* () {
        running += 1
        peak = Math.max(peak, running)
        yield* Effect.sleep("1 second")
        running -= 1
        return { markdown: request.text }
      }),
    )
    return Effect.gen(function* () {
      const { transport } = yield* withRunner(world)
      for (const id of ["a", "b", "c", "d", "e"]) yield* transport.push(text(`cid${id}==`, `m-${id}`, id))
      yield* TestClock.adjust("1 second")
      expect(world.webhook.sent).toHaveLength(2)
      yield* TestClock.adjust("2 seconds")
      expect(world.webhook.sent).toHaveLength(5)
      expect(peak).toBe(2)
    }).pipe(Effect.scoped, Effect.provide(world.layer))
  })

  it.effect("a busy conversation takes turns with the others instead of starving them", () => {
    const world = makeWorld({ maxConcurrentConversations: 1 })
    world.agent.respondWith((request) => Effect.sleep("1 second").pipe(Effect.as({ markdown: request.text })))
    return Effect.gen(function* () {
      const { transport } = yield* withRunner(world)
      for (const n of [1, 2, 3, 4]) yield* transport.push(text("cidBusy==", `busy-${n}`, `busy ${n}`))
      yield* transport.push(text("cidQuiet==", "quiet-1", "quiet"))
      yield* TestClock.adjust("5 seconds")
      expect(world.webhook.sent.map((send) => send.message.text)).toEqual([
        "busy 1",
        "quiet",
        "busy 2",
        "busy 3",
        "busy 4",
      ])
    }).pipe(Effect.scoped, Effect.provide(world.layer))
  })

  it.effect("keeps answering a conversation after one of its messages crashed the handler", () => {
    const world = makeWorld({ maxConcurrentConversations: 1 })
    world.agent.respondWith((request) =>
      request.text === "boom"
        ? Effect.die(new Error("agent bug"))
        : Effect.succeed({ markdown: request.text }),
    )
    return Effect.gen(function* () {
      const { transport, runner } = yield* withRunner(world)
      yield* transport.push(text("cidA==", "m1", "boom"))
      yield* transport.push(text("cidA==", "m2", "after"))
      yield* transport.push(text("cidB==", "m3", "other"))
      yield* TestClock.adjust("1 second")
      expect(world.webhook.sent.map((send) => send.message.text).sort()).toEqual(["after", "other"])
      expect(yield* runner.pending).toBe(0)
    }).pipe(Effect.scoped, Effect.provide(world.layer))
  })

  it.effect("drain stops the transport and finishes every message already received", () => {
    const world = makeWorld()
    world.agent.respondWith((request) =>
      Effect.sleep("4 seconds").pipe(Effect.as({ markdown: request.text })),
    )
    return Effect.gen(function* () {
      const { transport, runner } = yield* withRunner(world)
      yield* transport.push(text("cidA==", "m1", "one"))
      yield* transport.push(text("cidA==", "m2", "two"))
      yield* Effect.yieldNow
      const draining = yield* Effect.forkChild(runner.drain(30_000))
      yield* TestClock.adjust("8 seconds")
      expect(yield* Fiber.join(draining)).toEqual({ drained: true, pending: 0 })
      expect(transport.stops()).toBe(1)
      expect(world.webhook.sent.map((send) => send.message.text)).toEqual(["one", "two"])
    }).pipe(Effect.scoped, Effect.provide(world.layer))
  })

  it.effect("drain gives up after its bounded wait and reports what is left", () => {
    const world = makeWorld()
    world.agent.respondWith(() => Effect.never)
    return Effect.gen(function* () {
      const { transport, runner } = yield* withRunner(world)
      yield* transport.push(text("cidA==", "m1", "stuck"))
      yield* Effect.yieldNow
      const draining = yield* Effect.forkChild(runner.drain(10_000))
      yield* TestClock.adjust("10 seconds")
      expect(yield* Fiber.join(draining)).toEqual({ drained: false, pending: 1 })
    }).pipe(Effect.scoped, Effect.provide(world.layer))
  })

  it.effect(
    "with a journal, takes its orphans, settles what it handled and releases what is in flight elsewhere",
    () => {
      const world = makeWorld()
      world.agent.respondWith((request) =>
        Effect.sleep(request.text === "slow" ? "5 seconds" : "1 second").pipe(
          Effect.as({ markdown: request.text }),
        ),
      )
      return Effect.gen(function* () {
        const orphans = yield* Queue.unbounded<InboundFrame, Cause.Done>()
        const settled: Array<string> = []
        const released: Array<string> = []
        const journal = InboundJournal.of({
          record: (frame) => Effect.succeed(frame),
          noteCard: () => Effect.void,
          noteMedia: () => Effect.void,
          settle: (frame) => Effect.sync(() => settled.push(frame.journalId ?? "")),
          release: (frame) => Effect.sync(() => released.push(frame.journalId ?? "")),
          orphans: Stream.fromQueue(orphans),
        })
        const transport = yield* makeFakeTransport
        const orphan = (journalId: string, data: unknown) =>
          Queue.offer(orphans, { frameMessageId: journalId, data, receivedAt: 0, journalId })
        yield* startChannelRunner.pipe(
          Effect.provide(
            Layer.mergeAll(world.layer, transport.layer, Layer.succeed(InboundJournal, journal)),
          ),
        )
        yield* orphan("j-1", text("cidA==", "m1", "quick"))
        yield* orphan("j-2", text("cidB==", "m2", "slow"))
        yield* TestClock.adjust("1 second")
        // The same message through another conversation's lane while j-2 is being answered.
        yield* orphan("j-3", text("cidC==", "m2", "slow"))
        yield* TestClock.adjust("5 seconds")
        expect(world.webhook.sent.map((send) => send.message.text).sort()).toEqual(["quick", "slow"])
        expect(settled.sort()).toEqual(["j-1", "j-2"])
        expect(released).toEqual(["j-3"])
      }).pipe(Effect.scoped, Effect.provide(world.layer))
    },
  )

  it.effect(
    "decodes each frame once at its edge: a frame that does not decode is counted and settled, not queued",
    () => {
      const world = makeWorld()
      return Effect.gen(function* () {
        const orphans = yield* Queue.unbounded<InboundFrame, Cause.Done>()
        const settled: Array<string> = []
        const journal = InboundJournal.of({
          record: (frame) => Effect.succeed(frame),
          noteCard: () => Effect.void,
          noteMedia: () => Effect.void,
          settle: (frame) => Effect.sync(() => settled.push(frame.journalId ?? "")),
          release: () => Effect.void,
          orphans: Stream.fromQueue(orphans),
        })
        const transport = yield* makeFakeTransport
        const runner = yield* startChannelRunner.pipe(
          Effect.provide(
            Layer.mergeAll(world.layer, transport.layer, Layer.succeed(InboundJournal, journal)),
          ),
        )
        const { msgId: _dropped, ...withoutMsgId } = text("cidA==", "m1", "hi")
        yield* Queue.offer(orphans, {
          frameMessageId: "f-1",
          data: withoutMsgId,
          receivedAt: 0,
          journalId: "j-1",
        })
        yield* TestClock.adjust("10 millis")
        expect(settled).toEqual(["j-1"])
        expect(yield* runner.pending).toBe(0)
        expect((yield* (yield* ChannelMetrics).snapshot).malformed).toBe(1)
        expect(world.agent.requests).toHaveLength(0)
      }).pipe(Effect.scoped, Effect.provide(world.layer))
    },
  )
})
