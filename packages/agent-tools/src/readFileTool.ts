import { basename } from "node:path"
import type { AgentAttachment } from "@openpollen/core"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"

/** The one tool both model agents offer, described once. */
export const READ_FILE_TOOL = {
  name: "read_file",
  description:
    "Reads a file the user sent (or one in the workspace) by its absolute path: text files as text, PDFs as their text, pictures as images, other files as their name, type and size.",
  inputSchema: {
    type: "object",
    properties: { path: { type: "string", description: "Absolute path of the file to read." } },
    required: ["path"],
    additionalProperties: false,
  },
} as const

/** Tool calls per reply; past it the model must answer without tools. */
export const MAX_TOOL_CALLS = 8

const ReadFileInput = Schema.fromJsonString(Schema.Struct({ path: Schema.String }))

/** The `path` of a read_file call from the model's JSON input; undefined when the input has no string path. */
export const readFileInputPath = (json: string): string | undefined => {
  const decoded = Schema.decodeUnknownResult(ReadFileInput)(json === "" ? "{}" : json)
  return Result.isSuccess(decoded) ? decoded.success.path : undefined
}

/**
 * What to do with the model's `callNumber`-th tool call of a reply: read `path`, or answer the model with `refusal`
 * (past MAX_TOOL_CALLS, another tool's name, or input without a string path).
 */
export const readFileCall = (
  callNumber: number,
  toolName: string,
  inputJson: string,
): { readonly path: string } | { readonly refusal: string } => {
  if (callNumber > MAX_TOOL_CALLS) return { refusal: "no more tool calls in this reply" }
  const path = toolName === READ_FILE_TOOL.name ? readFileInputPath(inputJson) : undefined
  return path === undefined ? { refusal: "expected { path: string }" } : { path }
}

/** The Status event shown while read_file runs. */
export const readingStatus = (path: string) => `reading ${basename(path)}`

/** Tells the model where the message's files were saved, so it can read them. */
export const savedFilesPrompt = (attachments: ReadonlyArray<AgentAttachment>, tools: boolean): string => {
  if (attachments.length === 0) return ""
  if (!tools)
    return attachments.map((file) => `[${file.kind}: ${file.fileName ?? basename(file.path)}]`).join("\n")
  const lines = attachments.map(
    (file) =>
      `- ${file.path} (${file.kind}${file.fileName === undefined ? "" : `, sent as "${file.fileName}"`})`,
  )
  return ["The user sent these files, saved at (read them with the read_file tool):", ...lines].join("\n")
}
