import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { Agent, AgentEvent, type AgentFailed, type AgentRequest } from "../ports/Agent.js"

/**
 * What a scripted agent answers: a stream of events, or, for brevity, an effect whose markdown becomes the only
 * TextDelta.
 */
export type ScriptedAnswer =
  | Stream.Stream<AgentEvent, AgentFailed>
  | Effect.Effect<{ readonly markdown: string }, AgentFailed>

/** Streams `chunks` as TextDeltas, each after `delay` (none by default). */
export const scriptedChunks = (
  chunks: ReadonlyArray<string | AgentEvent>,
  delay?: Duration.Input,
): Stream.Stream<AgentEvent, AgentFailed> =>
  Stream.fromIterable(chunks).pipe(
    Stream.mapEffect((chunk) => {
      const event = typeof chunk === "string" ? AgentEvent.textDelta(chunk) : chunk
      return delay === undefined ? Effect.succeed(event) : Effect.as(Effect.sleep(delay), event)
    }),
  )

const toStream = (answer: ScriptedAnswer): Stream.Stream<AgentEvent, AgentFailed> =>
  Stream.isStream(answer)
    ? answer
    : Stream.fromEffect(Effect.map(answer, (reply) => AgentEvent.textDelta(reply.markdown)))

/** An Agent whose answers the test scripts; it records every request and reset. */
export const makeScriptedAgent = (
  respond: (request: AgentRequest) => ScriptedAnswer = (request) =>
    Effect.succeed({ markdown: request.text }),
) => {
  const requests: Array<AgentRequest> = []
  const resets: Array<string> = []
  let current = respond
  return {
    layer: Layer.succeed(
      Agent,
      Agent.of({
        respond: (request) =>
          Stream.suspend(() => {
            requests.push(request)
            return toStream(current(request))
          }),
        reset: (sessionKey) => Effect.sync(() => void resets.push(sessionKey)),
      }),
    ),
    requests,
    resets,
    respondWith: (next: typeof respond) => {
      current = next
    },
  }
}
