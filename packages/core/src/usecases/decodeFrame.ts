import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import type { InboundMessage } from "../domain/InboundMessage.js"
import type { InboundFrame } from "../ports/Transport.js"
import { decodeCallback } from "../rules/decodeCallback.js"
import { ChannelMetrics } from "./ChannelMetrics.js"
import type { HandleOutcome } from "./HandleOutcome.js"

/** A frame with its message decoded: past this point nothing reads the raw payload. */
export interface DecodedFrame {
  readonly frame: InboundFrame
  readonly message: InboundMessage
}

export type Malformed = Extract<HandleOutcome, { readonly _tag: "Malformed" }>

/**
 * Decodes a frame once, at the runner's edge. A frame that does not decode is logged with the failing field and
 * counted; the caller settles it.
 */
export const decodeFrame = (
  frame: InboundFrame,
): Effect.Effect<Result.Result<DecodedFrame, Malformed>, never, ChannelMetrics> => {
  const decoded = decodeCallback(frame.data)
  if (Result.isSuccess(decoded)) return Effect.succeed(Result.succeed({ frame, message: decoded.success }))
  return Effect.gen(function* () {
    yield* Effect.logWarning("dropped a robot callback that does not decode").pipe(
      Effect.annotateLogs({ field: decoded.failure.path, problem: decoded.failure.message }),
    )
    const malformed: Malformed = { _tag: "Malformed", path: decoded.failure.path }
    const metrics = yield* ChannelMetrics
    yield* metrics.record(malformed, yield* Clock.currentTimeMillis)
    return Result.fail(malformed)
  })
}
