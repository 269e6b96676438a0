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
import { type ChatMessage, toolMessages } from "./ChatMessage.js"
import type { OpenAiAgentConfig } from "./OpenAiConfig.js"
import { streamCompletion } from "./streamCompletion.js"
import { userMessage, userText } from "./userMessage.js"

const TOOL = {
  type: "function",
  function: {
    name: READ_FILE_TOOL.name,
    description: READ_FILE_TOOL.description,
    parameters: READ_FILE_TOOL.inputSchema,
  },
} as const

/**
 * Any OpenAI-compatible chat-completions endpoint: streams the answer, sends pictures as image parts, runs the
 * read_file tool loop itself when tools are on (at most MAX_TOOL_CALLS calls, then `tool_choice: "none"`), and keeps
 * the history in the AgentMemory (so another instance sharing it continues the conversation).
 */
export const makeOpenAiAgent = (config: OpenAiAgentConfig) =>
  Effect.gen(function* () {
    const readFile = makeReadFile({ folders: config.folders })
    return conversationAgent({
      memory: yield* AgentMemory,
      maxHistoryMessages: config.maxHistoryMessages,
      userText: (request) => userText(request, config.tools),
      answer: (request, history, emit) =>
        Effect.gen(function* () {
          const system = systemPrompt(config.systemPrompt, request.systemPrompt)
          const messages: Array<ChatMessage> = [
            ...(system === "" ? [] : [{ role: "system", content: system } satisfies ChatMessage]),
            ...history.map((turn): ChatMessage => ({ role: turn.role, content: turn.text })),
            yield* userMessage(request, config.tools, readFile),
          ]
          let calls = 0
          let text = ""
          while (true) {
            const body = {
              model: config.model,
              stream: true,
              messages,
              ...(config.tools ? { tools: [TOOL] } : {}),
              ...(config.tools && calls >= MAX_TOOL_CALLS ? { tool_choice: "none" } : {}),
            }
            const completion = yield* streamCompletion(config, body, (delta) =>
              emit(AgentEvent.textDelta(delta)),
            )
            text += completion.text
            if (!config.tools || completion.toolCalls.length === 0) return text
            const results: Array<ChatMessage> = []
            for (const toolCall of completion.toolCalls) {
              calls += 1
              const call = readFileCall(calls, toolCall.function.name, toolCall.function.arguments)
              if ("refusal" in call) {
                results.push({ role: "tool", tool_call_id: toolCall.id, content: `error: ${call.refusal}` })
                continue
              }
              yield* emit(AgentEvent.status(readingStatus(call.path)))
              results.push(...toolMessages(toolCall.id, yield* readFile(call.path)))
            }
            messages.push({
              role: "assistant",
              content: completion.text === "" ? null : completion.text,
              tool_calls: completion.toolCalls,
            })
            // Tool messages must directly follow their assistant message; pictures they brought come after them all.
            messages.push(...results.filter((message) => message.role === "tool"))
            messages.push(...results.filter((message) => message.role !== "tool"))
          }
        }),
    })
  })

export const OpenAiAgent = {
  /** Needs an AgentMemory. */
  layer: (config: OpenAiAgentConfig) => Layer.effect(Agent, makeOpenAiAgent(config)),
}
