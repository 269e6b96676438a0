import { openEventStream } from "@openpollen/agent-tools"
import { AgentFailed } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { ToolCall } from "./ChatMessage.js"
import { decodeCompletionChunk } from "./CompletionChunk.js"
import type { OpenAiAgentConfig } from "./OpenAiConfig.js"

export interface Completion {
  readonly text: string
  readonly toolCalls: ReadonlyArray<ToolCall>
}

/**
 * One streamed chat-completions request: text deltas go to `emit` as they arrive; the text and tool calls are
 * returned when the stream says it is done (`[DONE]`, or a finish reason and the end of the body). A stream that
 * ends before either was cut off.
 */
export const streamCompletion = Effect.fnUntraced(function* (
  config: OpenAiAgentConfig,
  body: unknown,
  emit: (text: string) => Effect.Effect<void>,
) {
  const events = yield* openEventStream({
    url: `${config.baseUrl.replace(/\/+$/, "")}/chat/completions`,
    headers:
      config.apiKey === undefined
        ? {}
        : { authorization: Redacted.make(`Bearer ${Redacted.value(config.apiKey)}`) },
    body,
    timeoutMs: config.timeoutMs,
  })
  const calls = new Map<number, { id: string; name: string; arguments: string }>()
  let text = ""
  let finished = false
  while (true) {
    const next = yield* events.next
    if (Option.isNone(next) || next.value.data.trim() === "[DONE]") {
      if (Option.isNone(next) && !finished)
        return yield* new AgentFailed({ reason: "unavailable", message: "the model's answer was cut off" })
      const toolCalls = [...calls.values()].map(
        (call): ToolCall => ({
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: call.arguments },
        }),
      )
      return { text, toolCalls } satisfies Completion
    }
    const chunk = decodeCompletionChunk(next.value.data)
    const choice = chunk?.choices[0]
    if (choice === undefined) continue
    const content = choice.delta?.content
    if (typeof content === "string" && content !== "") {
      text += content
      yield* emit(content)
    }
    for (const delta of choice.delta?.tool_calls ?? []) {
      const call = calls.get(delta.index) ?? { id: "", name: "", arguments: "" }
      calls.set(delta.index, {
        id: delta.id ?? call.id,
        name: call.name + (delta.function?.name ?? ""),
        arguments: call.arguments + (delta.function?.arguments ?? ""),
      })
    }
    if (typeof choice.finish_reason === "string") finished = true
  }
}, Effect.scoped)
