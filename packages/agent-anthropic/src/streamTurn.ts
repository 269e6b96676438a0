import { openEventStream } from "@openpollen/agent-tools"
import { AgentFailed } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { ANTHROPIC_VERSION, type AnthropicAgentConfig } from "./AnthropicConfig.js"
import type { ToolUseBlock } from "./ContentBlock.js"
import { decodeMessagesEvent } from "./MessagesEvent.js"

export interface Turn {
  readonly text: string
  readonly toolUses: ReadonlyArray<ToolUseBlock>
}

type Block = { kind: "text" } | { kind: "tool"; id: string; name: string; json: string }

const parseInput = (json: string): unknown => {
  try {
    return JSON.parse(json === "" ? "{}" : json)
  } catch {
    return {}
  }
}

/**
 * One streamed Messages request: every text delta is handed to `emit` as it arrives; the turn's text and tool calls
 * are returned at `message_stop`. A stream that ends before it was cut off.
 */
export const streamTurn = Effect.fnUntraced(function* (
  config: AnthropicAgentConfig,
  body: unknown,
  emit: (text: string) => Effect.Effect<void>,
) {
  const events = yield* openEventStream({
    url: `${config.baseUrl.replace(/\/+$/, "")}/v1/messages`,
    headers: {
      ...(config.apiKey === undefined ? {} : { "x-api-key": config.apiKey }),
      "anthropic-version": ANTHROPIC_VERSION,
      accept: "text/event-stream",
    },
    body,
    timeoutMs: config.timeoutMs,
  })
  const blocks = new Map<number, Block>()
  let text = ""
  while (true) {
    const next = yield* events.next
    if (Option.isNone(next))
      return yield* new AgentFailed({ reason: "unavailable", message: "the model's answer was cut off" })
    const event = decodeMessagesEvent(next.value.data)
    if (event === undefined) continue
    switch (event.type) {
      case "content_block_start":
        if (event.content_block.type === "text") blocks.set(event.index, { kind: "text" })
        else if (event.content_block.type === "tool_use")
          blocks.set(event.index, {
            kind: "tool",
            id: event.content_block.id,
            name: event.content_block.name,
            json: "",
          })
        break
      case "content_block_delta": {
        const block = blocks.get(event.index)
        if (event.delta.type === "text_delta" && block?.kind === "text") {
          text += event.delta.text
          if (event.delta.text !== "") yield* emit(event.delta.text)
        } else if (event.delta.type === "input_json_delta" && block?.kind === "tool")
          block.json += event.delta.partial_json
        break
      }
      case "error":
        return yield* new AgentFailed({
          reason: event.error.type === "overloaded_error" ? "unavailable" : "internal",
          message: `the model stopped with ${event.error.type}`,
        })
      case "message_stop": {
        const toolUses = [...blocks.values()].flatMap(
          (block): Array<ToolUseBlock> =>
            block.kind === "tool"
              ? [{ type: "tool_use", id: block.id, name: block.name, input: parseInput(block.json) }]
              : [],
        )
        return { text, toolUses } satisfies Turn
      }
      default:
        break
    }
  }
}, Effect.scoped)
