import { Effect, Layer } from "effect"
import { Agent, type AgentFailed, type AgentReply, type AgentRequest } from "../ports/Agent.js"

/** An Agent whose answers the test scripts; it records every request and reset. */
export const makeScriptedAgent = (
  respond: (request: AgentRequest) => Effect.Effect<AgentReply, AgentFailed> = (request) =>
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
          Effect.suspend(() => {
            requests.push(request)
            return current(request)
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
