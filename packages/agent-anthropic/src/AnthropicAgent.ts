import {
  conversationAgent,
  MAX_TOOL_CALLS,
  makeReadFile,
  READ_FILE_TOOL,
  readFileCall,
  readingStatus,
  systemPrompt,
} from "@openpollen/agent-tools"
import { Agent, AgentEvent, AgentMemory } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
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
    const readFile = makeReadFile({ folders: config.folders })
    return conversationAgent({
      memory: yield* AgentMemory,
      maxHistoryMessages: config.maxHistoryMessages,
      userText,
      answer: (request, history, emit) =>
        Effect.gen(function* () {
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
            if (turn.toolUses.length === 0) return text
            const results: Array<ToolResultBlock> = []
            for (const use of turn.toolUses) {
              calls += 1
              const call = readFileCall(calls, use.name, JSON.stringify(use.input))
              if ("refusal" in call) {
                results.push({
                  type: "tool_result",
                  tool_use_id: use.id,
                  content: call.refusal,
                  is_error: true,
                })
                continue
              }
              yield* emit(AgentEvent.status(readingStatus(call.path)))
              results.push(toolResult(use.id, yield* readFile(call.path)))
            }
            const said: Array<ContentBlock> = turn.text === "" ? [] : [{ type: "text", text: turn.text }]
            messages.push({ role: "assistant", content: [...said, ...turn.toolUses] })
            messages.push({ role: "user", content: results })
          }
        }),
    })
  })

export const AnthropicAgent = {
  /** Needs an AgentMemory. */
  layer: (config: AnthropicAgentConfig) => Layer.effect(Agent, makeAnthropicAgent(config)),
}
