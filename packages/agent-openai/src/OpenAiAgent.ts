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
    const memory = yield* AgentMemory
    const readFile = makeReadFile({ folders: config.folders })

    const answer = (request: AgentRequest, emit: (event: AgentEvent) => Effect.Effect<void>) =>
      Effect.gen(function* () {
        const history = yield* loadHistory(memory, request.sessionKey)
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
          if (!config.tools || completion.toolCalls.length === 0) break
          const results: Array<ChatMessage> = []
          for (const call of completion.toolCalls) {
            calls += 1
            const path =
              call.function.name === READ_FILE_TOOL.name
                ? readFileInputPath(call.function.arguments)
                : undefined
            if (calls > MAX_TOOL_CALLS || path === undefined) {
              const why =
                calls > MAX_TOOL_CALLS ? "no more tool calls in this reply" : "expected { path: string }"
              results.push({ role: "tool", tool_call_id: call.id, content: `error: ${why}` })
              continue
            }
            yield* emit(AgentEvent.status(readingStatus(path)))
            results.push(...toolMessages(call.id, yield* readFile(path)))
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
        if (text.trim() === "")
          return yield* new AgentFailed({ reason: "internal", message: "the model answered with nothing" })
        yield* rememberTurn(
          memory,
          request.sessionKey,
          [
            { role: "user", text: userText(request, config.tools) },
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

export const OpenAiAgent = {
  /** Needs an AgentMemory. */
  layer: (config: OpenAiAgentConfig) => Layer.effect(Agent, makeOpenAiAgent(config)),
}
