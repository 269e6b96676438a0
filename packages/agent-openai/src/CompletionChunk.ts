import * as Result from "effect/Result"
import * as Schema from "effect/Schema"

const ToolCallDelta = Schema.Struct({
  index: Schema.Number,
  id: Schema.optional(Schema.NullOr(Schema.String)),
  function: Schema.optional(
    Schema.Struct({
      name: Schema.optional(Schema.NullOr(Schema.String)),
      arguments: Schema.optional(Schema.NullOr(Schema.String)),
    }),
  ),
})

const CompletionChunkJson = Schema.fromJsonString(
  Schema.Struct({
    choices: Schema.Array(
      Schema.Struct({
        delta: Schema.optional(
          Schema.Struct({
            content: Schema.optional(Schema.NullOr(Schema.String)),
            tool_calls: Schema.optional(Schema.NullOr(Schema.Array(ToolCallDelta))),
          }),
        ),
        finish_reason: Schema.optional(Schema.NullOr(Schema.String)),
      }),
    ),
  }),
)

export type CompletionChunk = typeof CompletionChunkJson.Type

/** One streamed chat-completion chunk; undefined for a shape this agent does not know. */
export const decodeCompletionChunk = (data: string): CompletionChunk | undefined => {
  const decoded = Schema.decodeUnknownResult(CompletionChunkJson)(data)
  return Result.isSuccess(decoded) ? decoded.success : undefined
}
