import { type FileContent, savedFilesPrompt } from "@openpollen/agent-tools"
import type { AgentRequest } from "@openpollen/core"
import * as Effect from "effect/Effect"
import { type ChatMessage, imagePart, type Part } from "./ChatMessage.js"

/** The text of the user's turn, as it is also remembered: the quote, the message, the files it came with. */
export const userText = (request: AgentRequest, tools: boolean) =>
  [
    request.quotedText === undefined ? "" : `> ${request.quotedText}\n`,
    request.text,
    savedFilesPrompt(request.attachments, tools),
  ]
    .filter((part) => part !== "")
    .join("\n")

/** The user's turn: its text, then each picture as an image part (read through read_file's confinement). */
export const userMessage = Effect.fnUntraced(function* (
  request: AgentRequest,
  tools: boolean,
  readFile: (path: string) => Effect.Effect<FileContent>,
) {
  const pictures: Array<Part> = []
  for (const attachment of request.attachments) {
    if (attachment.kind !== "picture") continue
    const content = yield* readFile(attachment.path)
    if (content._tag === "Image") pictures.push(imagePart(content))
  }
  const text = userText(request, tools)
  return (
    pictures.length === 0
      ? { role: "user", content: text }
      : { role: "user", content: [{ type: "text", text }, ...pictures] }
  ) satisfies ChatMessage
})
