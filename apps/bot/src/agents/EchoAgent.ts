import { Agent, AgentEvent } from "@openpollen/core"
import { Effect, Layer, Stream } from "effect"

/** Replies with the user's text verbatim and, for each received file, its absolute local path on its own line. */
export const EchoAgent = {
  layer: Layer.succeed(
    Agent,
    Agent.of({
      respond: (request) => {
        const lines = [request.text, ...request.attachments.map((attachment) => attachment.path)].filter(
          (line) => line !== "",
        )
        const chunks =
          lines.length === 0
            ? ["（空消息）"]
            : lines.map((line, index) => (index === 0 ? line : `\n\n${line}`))
        return Stream.fromIterable(chunks.map(AgentEvent.textDelta))
      },
      reset: () => Effect.void,
    }),
  ),
}
