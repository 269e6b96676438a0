import { Agent } from "@openpollen/core"
import { Effect, Layer } from "effect"

/** Replies with the user's text verbatim and, for each received file, its absolute local path on its own line. */
export const EchoAgent = {
  layer: Layer.succeed(
    Agent,
    Agent.of({
      respond: (request) =>
        Effect.succeed({
          markdown:
            [request.text, ...request.attachments.map((attachment) => attachment.path)]
              .filter((line) => line !== "")
              .join("\n\n") || "（空消息）",
        }),
      reset: () => Effect.void,
    }),
  ),
}
