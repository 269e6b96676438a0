import { Agent, AgentEvent } from "@openpollen/core"
import { Effect, Layer, Stream } from "effect"

/**
 * Replies with the user's text verbatim and, for each received file, its absolute local path on its own line; a
 * quote comes first, as a `>` line with its text and the paths of its files.
 */
export const EchoAgent = {
  layer: Layer.succeed(
    Agent,
    Agent.of({
      respond: (request) => {
        const quotedPaths = request.attachments.filter((attachment) => attachment.quoted === true)
        const ownPaths = request.attachments.filter((attachment) => attachment.quoted !== true)
        const quote = [request.quotedText ?? "", ...quotedPaths.map((attachment) => attachment.path)]
          .filter((line) => line !== "")
          .join(" ")
        const lines = [
          quote === "" ? "" : `> ${quote.replace(/\n/g, " ")}`,
          request.text,
          ...ownPaths.map((attachment) => attachment.path),
        ].filter((line) => line !== "")
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
