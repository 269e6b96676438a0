import * as Result from "effect/Result"
import * as Schema from "effect/Schema"

const BlockStart = Schema.Struct({
  type: Schema.Literal("content_block_start"),
  index: Schema.Number,
  content_block: Schema.Union([
    Schema.Struct({ type: Schema.Literal("text") }),
    Schema.Struct({ type: Schema.Literal("tool_use"), id: Schema.String, name: Schema.String }),
    Schema.Struct({ type: Schema.Literals(["thinking", "redacted_thinking", "server_tool_use"]) }),
  ]),
})
const BlockDelta = Schema.Struct({
  type: Schema.Literal("content_block_delta"),
  index: Schema.Number,
  delta: Schema.Union([
    Schema.Struct({ type: Schema.Literal("text_delta"), text: Schema.String }),
    Schema.Struct({ type: Schema.Literal("input_json_delta"), partial_json: Schema.String }),
    Schema.Struct({ type: Schema.Literals(["thinking_delta", "signature_delta", "citations_delta"]) }),
  ]),
})
const MessageDelta = Schema.Struct({
  type: Schema.Literal("message_delta"),
  delta: Schema.Struct({ stop_reason: Schema.optional(Schema.NullOr(Schema.String)) }),
})
const Simple = Schema.Struct({
  type: Schema.Literals(["message_start", "content_block_stop", "message_stop", "ping"]),
})
const ErrorEvent = Schema.Struct({
  type: Schema.Literal("error"),
  error: Schema.Struct({ type: Schema.String }),
})

const MessagesEventJson = Schema.fromJsonString(
  Schema.Union([BlockStart, BlockDelta, MessageDelta, Simple, ErrorEvent]),
)

export type MessagesEvent = typeof MessagesEventJson.Type

/** One server-sent event of a streamed Messages response; undefined for a shape this agent does not know. */
export const decodeMessagesEvent = (data: string): MessagesEvent | undefined => {
  const decoded = Schema.decodeUnknownResult(MessagesEventJson)(data)
  return Result.isSuccess(decoded) ? decoded.success : undefined
}
