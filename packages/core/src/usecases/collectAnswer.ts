import * as Stream from "effect/Stream"
import type { AgentEvent, AgentFailed } from "../ports/Agent.js"

/** The whole answer of an agent's stream: its TextDeltas concatenated, Status events left out. */
export const collectAnswer = <R>(events: Stream.Stream<AgentEvent, AgentFailed, R>) =>
  Stream.runFold(
    events,
    () => "",
    (answer, event) => (event._tag === "TextDelta" ? answer + event.text : answer),
  )
