import {
  Agent,
  type AgentEvent,
  AgentFailed,
  type AgentMemory,
  type AgentRequest,
  type AgentTurn,
} from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { forgetHistory, loadHistory, rememberTurn } from "./agentHistory.js"

export interface ConversationAgentOptions {
  readonly memory: AgentMemory["Service"]
  readonly maxHistoryMessages: number
  /** How the user's message is remembered for the next turns. */
  readonly userText: (request: AgentRequest) => string
  /** One answer given the earlier turns, streamed through `emit`; its whole text is returned. */
  readonly answer: (
    request: AgentRequest,
    history: ReadonlyArray<AgentTurn>,
    emit: (event: AgentEvent) => Effect.Effect<void>,
  ) => Effect.Effect<string, AgentFailed>
}

/**
 * A model agent's life around its answers: loads the history, streams the answer as AgentEvents, fails on an empty
 * answer, remembers the turn, and forgets the session on reset.
 */
export const conversationAgent = (options: ConversationAgentOptions) => {
  const { memory } = options
  const answerAndRemember = (request: AgentRequest, emit: (event: AgentEvent) => Effect.Effect<void>) =>
    Effect.gen(function* () {
      const history = yield* loadHistory(memory, request.sessionKey)
      const text = yield* options.answer(request, history, emit)
      if (text.trim() === "")
        return yield* new AgentFailed({ reason: "internal", message: "the model answered with nothing" })
      yield* rememberTurn(
        memory,
        request.sessionKey,
        [
          { role: "user", text: options.userText(request) },
          { role: "assistant", text },
        ],
        options.maxHistoryMessages,
      )
    })
  return Agent.of({
    respond: (request) =>
      Stream.callback<AgentEvent, AgentFailed>((queue) =>
        answerAndRemember(request, (event) => Queue.offer(queue, event).pipe(Effect.asVoid)).pipe(
          Effect.andThen(Queue.end(queue)),
        ),
      ),
    reset: (sessionKey) => forgetHistory(memory, sessionKey),
  })
}
