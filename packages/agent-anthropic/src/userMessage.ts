import { type FileContent, savedFilesPrompt } from "@openpollen/agent-tools"
import type { AgentRequest } from "@openpollen/core"
import * as Effect from "effect/Effect"
import { type ContentBlock, imageBlock, type Message } from "./ContentBlock.js"

/** The text of the user's turn, as it is also remembered: the quote, the message, where its files were saved. */
export const userText = (request: AgentRequest) =>
  [
    request.quotedText === undefined ? "" : `> ${request.quotedText}`,
    request.text,
    savedFilesPrompt(request.attachments, true),
  ]
    .filter((part) => part !== "")
    .join("\n\n")

/** The user's turn: its text, then each picture as an image block (read through read_file's confinement). */
export const userMessage = Effect.fnUntraced(function* (
  request: AgentRequest,
  readFile: (path: string) => Effect.Effect<FileContent>,
) {
  const pictures: Array<ContentBlock> = []
  for (const attachment of request.attachments) {
    if (attachment.kind !== "picture") continue
    const content = yield* readFile(attachment.path)
    if (content._tag === "Image") pictures.push(imageBlock(content))
  }
  const text = userText(request) || "(empty message)"
  return {
    role: "user",
    content: pictures.length === 0 ? text : [{ type: "text", text }, ...pictures],
  } satisfies Message
})
