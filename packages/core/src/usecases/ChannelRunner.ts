import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as FiberSet from "effect/FiberSet"
import * as Latch from "effect/Latch"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import { ChannelSettings } from "../ports/ChannelSettings.js"
import { InboundJournal } from "../ports/InboundJournal.js"
import { type InboundFrame, Transport } from "../ports/Transport.js"
import { type DecodedFrame, decodeFrame } from "./decodeFrame.js"
import { FifoQueue } from "./FifoQueue.js"
import type { HandleOutcome } from "./HandleOutcome.js"
import { handleMessage } from "./handleMessage.js"
import { IntakeGate } from "./IntakeGate.js"

export interface DrainResult {
  readonly drained: boolean
  /** Messages received but not finished when the wait ended. */
  readonly pending: number
}

export interface ChannelRunner {
  /** Messages received and not yet finished. */
  readonly pending: Effect.Effect<number>
  /** Stops receiving, then waits up to `timeoutMs` for every received message to be answered. */
  readonly drain: (timeoutMs: number) => Effect.Effect<DrainResult>
}

/**
 * Consumes the Transport's frames for as long as the enclosing scope lives: messages of one conversation are
 * handled in arrival order, conversations in parallel by at most `maxConcurrentConversations` workers. A worker
 * takes one message of a lane, then puts the lane at the back of the waiting line, so a busy conversation cannot
 * starve the others. Idle lanes are dropped, so memory stays bounded by what is in flight.
 *
 * With an InboundJournal, the journal's orphans join the transport's frames, and a frame is settled once handled
 * unless another delivery of its message was still in flight (its holder may die) or the DedupeStore was down: then
 * the frame is released and comes back as an orphan after the lease, by when the message is answered or free to claim.
 *
 * With an IntakeGate, the runner reports its backlog to it at every change, so a transport can stop accepting.
 *
 * Invariant: a lane in `lanes` is either held by exactly one worker or waiting exactly once in `waiting`.
 */
export const startChannelRunner = Effect.gen(function* () {
  const transport = yield* Transport
  const settings = yield* ChannelSettings
  const journal = yield* Effect.serviceOption(InboundJournal)
  const gate = yield* Effect.serviceOption(IntakeGate)
  const maxWorkers = Math.max(1, settings.maxConcurrentConversations)
  const workers = yield* FiberSet.make<unknown, never>()
  const idle = yield* Latch.make(true)
  const lanes = new Map<string, Array<DecodedFrame>>()
  const waiting = new FifoQueue<string>()
  let busyWorkers = 0
  let pending = 0
  const addPending = (delta: number) => {
    pending += delta
    if (Option.isSome(gate)) gate.value.reportBacklog(pending)
  }

  const settle = (frame: InboundFrame, outcome: HandleOutcome | undefined) =>
    Option.isNone(journal) || frame.journalId === undefined
      ? Effect.void
      : (outcome?._tag === "Duplicate" && outcome.state === "in-flight") || outcome?._tag === "Deferred"
        ? journal.value.release(frame)
        : journal.value
            .settle(frame)
            .pipe(
              Effect.catch((error) =>
                Effect.logWarning("could not settle a journalled message; it comes back as an orphan").pipe(
                  Effect.annotateLogs({ error: error.message }),
                ),
              ),
            )

  const work = (firstLane: string) =>
    Effect.gen(function* () {
      let lane: string | undefined = firstLane
      while (lane !== undefined) {
        const queue = lanes.get(lane)
        const decoded = queue?.shift()
        if (queue !== undefined && decoded !== undefined) {
          const { frame } = decoded
          const outcome = yield* handleMessage(decoded).pipe(
            Effect.catchCause((cause) =>
              Effect.logError("a message handler failed", cause).pipe(Effect.as(undefined)),
            ),
          )
          yield* settle(frame, outcome)
          addPending(-1)
          if (pending === 0) yield* idle.open
          if (queue.length > 0) waiting.push(lane)
          else lanes.delete(lane)
        }
        lane = waiting.shift()
      }
    }).pipe(
      Effect.ensuring(
        Effect.sync(() => {
          busyWorkers -= 1
        }),
      ),
    )

  const accept = ({
    frame,
    fromTransport,
  }: {
    readonly frame: InboundFrame
    readonly fromTransport: boolean
  }) =>
    Effect.gen(function* () {
      // The runner's backlog grows before the transport's shrinks, so a callback the gate holds is not let in between.
      const decoded = yield* decodeFrame(frame)
      if (Result.isSuccess(decoded)) addPending(1)
      if (fromTransport && Option.isSome(gate)) gate.value.leave()
      if (Result.isFailure(decoded)) return yield* settle(frame, decoded.failure)
      yield* idle.close
      const lane = decoded.success.message.conversation.id
      const queue = lanes.get(lane)
      if (queue !== undefined) {
        queue.push(decoded.success)
        return
      }
      lanes.set(lane, [decoded.success])
      if (busyWorkers >= maxWorkers) {
        waiting.push(lane)
        return
      }
      busyWorkers += 1
      yield* FiberSet.run(workers, work(lane))
    })

  const fromTransport = transport.frames.pipe(Stream.map((frame) => ({ frame, fromTransport: true })))
  const inbound = Option.match(journal, {
    onNone: () => fromTransport,
    onSome: ({ orphans }) =>
      Stream.merge(fromTransport, orphans.pipe(Stream.map((frame) => ({ frame, fromTransport: false }))), {
        haltStrategy: "left",
      }),
  })
  const consumer = yield* inbound.pipe(Stream.runForEach(accept), Effect.forkScoped)

  return {
    pending: Effect.sync(() => pending),
    drain: (timeoutMs) =>
      Effect.gen(function* () {
        yield* transport.stop
        const finished = yield* Effect.gen(function* () {
          yield* Fiber.await(consumer)
          yield* idle.await
        }).pipe(Effect.timeoutOption(timeoutMs))
        return { drained: Option.isSome(finished), pending }
      }),
  } satisfies ChannelRunner
})
