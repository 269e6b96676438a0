import {
  forgetHistory,
  loadHistory,
  MAX_TOOL_CALLS,
  makeReadFile,
  READ_FILE_TOOL,
  readFileInputPath,
  readingStatus,
  rememberTurn,
  systemPrompt,
} from "@openpollen/agent-tools"
import { Agent, AgentEvent, AgentFailed, AgentMemory, type AgentRequest } from "@openpollen/core"
import { Effect, Layer, Queue, Stream } from "effect"
import type { AnthropicAgentConfig } from "./AnthropicConfig.js"
import { type ContentBlock, type Message, type ToolResultBlock, toolResult } from "./ContentBlock.js"
import { streamTurn } from "./streamTurn.js"
import { userMessage, userText } from "./userMessage.js"

const TOOL = {
  name: READ_FILE_TOOL.name,
  description: READ_FILE_TOOL.description,
  input_schema: READ_FILE_TOOL.inputSchema,
}

/**
 * Claude over the Messages API: streams the answer, sends pictures as image blocks, runs the read_file tool loop
 * itself (at most MAX_TOOL_CALLS calls, then an answer without tools), and keeps the history in the AgentMemory.
 */
export const makeAnthropicAgent = (config: AnthropicAgentConfig) =>
  Effect.gen(function* () {
    const memory = yield* AgentMemory
    const readFile = makeReadFile({ folders: config.folders })

    const answer = (request: AgentRequest, emit: (event: AgentEvent) => Effect.Effect<void>) =>
      Effect.gen(function* () {
        const history = yield* loadHistory(memory, request.sessionKey)
        const messages: Array<Message> = [
          ...history.map((turn): Message => ({ role: turn.role, content: turn.text })),
          yield* userMessage(request, readFile),
        ]
        const system = systemPrompt(config.systemPrompt, request.systemPrompt)
        let calls = 0
        let text = ""
        while (true) {
          const body = {
            model: config.model,
            max_tokens: config.maxTokens,
            stream: true,
            ...(system === "" ? {} : { system }),
            tools: [TOOL],
            ...(calls >= MAX_TOOL_CALLS ? { tool_choice: { type: "none" } } : {}),
            messages,
          }
          const turn = yield* streamTurn(config, body, (delta) => emit(AgentEvent.textDelta(delta)))
          text += turn.text
          if (turn.toolUses.length === 0) break
          const results: Array<ToolResultBlock> = []
          for (const use of turn.toolUses) {
            calls += 1
            const path =
              use.name === READ_FILE_TOOL.name ? readFileInputPath(JSON.stringify(use.input)) : undefined
            if (calls > MAX_TOOL_CALLS || path === undefined) {
              const why =
                calls > MAX_TOOL_CALLS ? "no more tool calls in this reply" : "expected { path: string }"
              results.push({ type: "tool_result", tool_use_id: use.id, content: why, is_error: true })
              continue
            }
            yield* emit(AgentEvent.status(readingStatus(path)))
            results.push(toolResult(use.id, yield* readFile(path)))
          }
          const said: Array<ContentBlock> = turn.text === "" ? [] : [{ type: "text", text: turn.text }]
          messages.push({ role: "assistant", content: [...said, ...turn.toolUses] })
          messages.push({ role: "user", content: results })
        }
        if (text.trim() === "")
          return yield* new AgentFailed({ reason: "internal", message: "the model answered with nothing" })
        yield* rememberTurn(
          memory,
          request.sessionKey,
          [
            { role: "user", text: userText(request) },
            { role: "assistant", text },
          ],
          config.maxHistoryMessages,
        )
      })

    return Agent.of({
      respond: (request) =>
        Stream.callback<AgentEvent, AgentFailed>((queue) =>
          answer(request, (event) => Queue.offer(queue, event).pipe(Effect.asVoid)).pipe(
            Effect.andThen(Queue.end(queue)),
          ),
        ),
      reset: (sessionKey) => forgetHistory(memory, sessionKey),
    })
  })

export const AnthropicAgent = {
  /** Needs an AgentMemory. */
  layer: (config: AnthropicAgentConfig) => Layer.effect(Agent, makeAnthropicAgent(config)),
}
