import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { InteractiveCardContent, MarkdownContent } from "./CallbackPayload.js"
import { defined } from "./defined.js"

const nonEmpty = (values: ReadonlyArray<string | null | undefined>): Array<string> =>
  values
    .filter(defined)
    .map((value) => value.trim())
    .filter((value) => value !== "")

/** A markdown message's text, or its title when the text is missing. */
export const markdownText = (content: unknown): string => {
  const decoded = Schema.decodeUnknownResult(MarkdownContent)(content)
  if (Result.isFailure(decoded)) return ""
  const [first] = nonEmpty([decoded.success.text, decoded.success.title])
  return first ?? ""
}

/** What a person sees of a card: its title, its text and, for a shared document, the link; "[卡片]" otherwise. */
export const interactiveCardText = (content: unknown): string => {
  const decoded = Schema.decodeUnknownResult(InteractiveCardContent)(content)
  if (Result.isFailure(decoded)) return "[卡片]"
  const { title, text, biz_custom_action_url: link } = decoded.success
  const lines = nonEmpty([title, text, link])
  return lines.length === 0 ? "[卡片]" : lines.join("\n")
}
