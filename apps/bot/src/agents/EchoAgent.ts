import { basename } from "node:path"
import { Agent, AgentEvent } from "@openpollen/core"
import { Effect, Layer, Stream } from "effect"

/**
 * Replies with the user's text verbatim and, for each received file, its name in the uploads folder on its own line;
 * a quote comes first, as a `>` line with its text and the names of its files. Never the absolute path: chat users
 * have no business knowing the server's folders.
 */
export const EchoAgent = {
  layer: Layer.succeed(
    Agent,
    Agent.of({
      respond: (request) => {
        const quotedPaths = request.attachments.filter((attachment) => attachment.quoted === true)
        const ownPaths = request.attachments.filter((attachment) => attachment.quoted !== true)
        const quote = [
          request.quotedText ?? "",
          ...quotedPaths.map((attachment) => basename(attachment.path)),
        ]
          .filter((line) => line !== "")
          .join(" ")
        const lines = [
          quote === "" ? "" : `> ${quote.replace(/\n/g, " ")}`,
          request.text,
          ...ownPaths.map((attachment) => basename(attachment.path)),
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
