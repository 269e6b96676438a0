import { Effect, Fiber, FiberSet, Latch, Option, Schema, Semaphore, Stream } from "effect"
import { ChannelSettings } from "../ports/ChannelSettings.js"
import { type InboundFrame, Transport } from "../ports/Transport.js"
import { handleMessage } from "./handleMessage.js"

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

const ConversationOf = Schema.Struct({ conversationId: Schema.String })
const laneOf = (frame: InboundFrame): string =>
  Option.match(Schema.decodeUnknownOption(ConversationOf)(frame.data), {
    onNone: () => `frame:${frame.frameMessageId}`,
    onSome: (data) => data.conversationId,
  })

/**
 * Consumes the Transport's frames for as long as the enclosing scope lives: messages of one conversation are
 * handled in arrival order, conversations in parallel under `maxConcurrentConversations`. Idle lanes are dropped,
 * so memory stays bounded by what is in flight.
 */
export const startChannelRunner = Effect.gen(function* () {
  const transport = yield* Transport
  const settings = yield* ChannelSettings
  const permits = yield* Semaphore.make(Math.max(1, settings.maxConcurrentConversations))
  const workers = yield* FiberSet.make<unknown, never>()
  const idle = yield* Latch.make(true)
  const lanes = new Map<string, Array<InboundFrame>>()
  let pending = 0

  const runLane = (lane: string) =>
    Effect.gen(function* () {
      while (true) {
        const queue = lanes.get(lane)
        const next = queue?.shift()
        if (next === undefined) {
          lanes.delete(lane)
          return
        }
        yield* permits.withPermit(handleMessage(next))
        pending -= 1
        if (pending === 0) yield* idle.open
      }
    })

  const accept = (frame: InboundFrame) =>
    Effect.gen(function* () {
      pending += 1
      yield* idle.close
      const lane = laneOf(frame)
      const queue = lanes.get(lane)
      if (queue !== undefined) {
        queue.push(frame)
        return
      }
      lanes.set(lane, [frame])
      yield* FiberSet.run(workers, runLane(lane))
    })

  const consumer = yield* transport.frames.pipe(Stream.runForEach(accept), Effect.forkScoped)

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
