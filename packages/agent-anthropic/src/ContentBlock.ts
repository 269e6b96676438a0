import { describeFile, type FileContent, type ImageMediaType } from "@openpollen/agent-tools"
import { MAX_IMAGE_BASE64_BYTES } from "./AnthropicConfig.js"

export type ImageBlock = {
  readonly type: "image"
  readonly source: { readonly type: "base64"; readonly media_type: ImageMediaType; readonly data: string }
}
export type TextBlock = { readonly type: "text"; readonly text: string }
export type ToolUseBlock = {
  readonly type: "tool_use"
  readonly id: string
  readonly name: string
  readonly input: unknown
}
export type ToolResultBlock = {
  readonly type: "tool_result"
  readonly tool_use_id: string
  readonly content: string | ReadonlyArray<TextBlock | ImageBlock>
  readonly is_error?: boolean
}
export type ContentBlock = TextBlock | ImageBlock | ToolUseBlock | ToolResultBlock

export interface Message {
  readonly role: "user" | "assistant"
  readonly content: string | ReadonlyArray<ContentBlock>
}

/** A picture as an image block, or, when the API would refuse it for its size, a text block describing it. */
export const imageBlock = (image: Extract<FileContent, { _tag: "Image" }>): ImageBlock | TextBlock => {
  const data = Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength).toString(
    "base64",
  )
  return data.length <= MAX_IMAGE_BASE64_BYTES
    ? { type: "image", source: { type: "base64", media_type: image.mediaType, data } }
    : {
        type: "text",
        text: `[picture ${describeFile(image.name, image.mediaType, image.bytes.length, "over the 5 MB the model accepts, so not shown")}]`,
      }
}

export const toolResult = (toolUseId: string, content: FileContent): ToolResultBlock => {
  switch (content._tag) {
    case "Refused":
      return { type: "tool_result", tool_use_id: toolUseId, content: content.message, is_error: true }
    case "Text":
      return { type: "tool_result", tool_use_id: toolUseId, content: content.text }
    case "Image":
      return { type: "tool_result", tool_use_id: toolUseId, content: [imageBlock(content)] }
  }
}
