import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import type { ConnectionState } from "../domain/ConnectionState.js"
import { type InboundFrame, Transport } from "../ports/Transport.js"

/** A Transport driven by the test: push frames, end the stream, read how often it was stopped. */
export const makeFakeTransport = Effect.gen(function* () {
  const frames = yield* Queue.unbounded<InboundFrame, Cause.Done>()
  let counter = 0
  let stops = 0
  let state: ConnectionState = { _tag: "Connected", since: 0, lastFrameAt: 0 }
  const service = Transport.of({
    frames: Stream.fromQueue(frames),
    state: Effect.sync(() => state),
    stateChanges: Stream.suspend(() => Stream.make(state)),
    stop: Effect.suspend(() => {
      stops += 1
      state = { _tag: "Stopped" }
      return Queue.end(frames)
    }).pipe(Effect.asVoid),
  })
  return {
    layer: Layer.succeed(Transport, service),
    push: (data: unknown, frameMessageId = `frame-${++counter}`) =>
      Queue.offer(frames, { frameMessageId, data, receivedAt: Date.now() }).pipe(Effect.asVoid),
    stops: () => stops,
  }
})
