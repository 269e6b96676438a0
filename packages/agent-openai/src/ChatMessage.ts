import { describeFile, type FileContent } from "@openpollen/agent-tools"
import { MAX_IMAGE_BYTES } from "./OpenAiConfig.js"

export type Part =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "image_url"; readonly image_url: { readonly url: string } }

export interface ToolCall {
  readonly id: string
  readonly type: "function"
  readonly function: { readonly name: string; readonly arguments: string }
}

export type ChatMessage =
  | { readonly role: "system" | "user"; readonly content: string | ReadonlyArray<Part> }
  | {
      readonly role: "assistant"
      readonly content: string | null
      readonly tool_calls?: ReadonlyArray<ToolCall>
    }
  | { readonly role: "tool"; readonly tool_call_id: string; readonly content: string }

/** A picture as a data-URL image part, or a text part describing it when it is too large to send. */
export const imagePart = (image: Extract<FileContent, { _tag: "Image" }>): Part =>
  image.bytes.length <= MAX_IMAGE_BYTES
    ? {
        type: "image_url",
        image_url: {
          url: `data:${image.mediaType};base64,${Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength).toString("base64")}`,
        },
      }
    : {
        type: "text",
        text: `[picture ${describeFile(image.name, image.mediaType, image.bytes.length, "too large to send")}]`,
      }

/**
 * The messages answering one tool call. A tool message carries text only in the chat-completions API, so a picture
 * read by the tool follows it as a user message with the image part.
 */
export const toolMessages = (toolCallId: string, content: FileContent): ReadonlyArray<ChatMessage> => {
  switch (content._tag) {
    case "Refused":
      return [{ role: "tool", tool_call_id: toolCallId, content: `error: ${content.message}` }]
    case "Text":
      return [{ role: "tool", tool_call_id: toolCallId, content: content.text }]
    case "Image":
      return [
        { role: "tool", tool_call_id: toolCallId, content: `the picture follows in the next message` },
        { role: "user", content: [imagePart(content)] },
      ]
  }
}
