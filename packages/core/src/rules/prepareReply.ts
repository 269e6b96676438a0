import type { Conversation, Sender } from "../domain/InboundMessage.js"
import type { OutboundReply } from "../domain/OutboundReply.js"
import { capText, MAX_AGENT_OUTPUT_CHARS } from "./capText.js"
import { shapeReply } from "./shapeReply.js"
import { titleOf } from "./titleOf.js"
import { TRUNCATION_NOTICE, truncateReply } from "./truncateReply.js"

export interface PreparedReply {
  readonly reply: OutboundReply
  /** The Markdown was cut: over MAX_AGENT_OUTPUT_CHARS, or over `maxReplyChars` once shaped. */
  readonly truncated: boolean
}

/**
 * Every outgoing Markdown message, reply or proactive, goes through this: runaway text is capped before any shaping,
 * then shaped for DingTalk (escaping, tables, mention) and truncated to `maxReplyChars` with a visible notice.
 * A given `title` is stripped of Markdown like a derived one.
 */
export const prepareReply = (
  markdown: string,
  options: {
    readonly conversation: Conversation
    readonly sender?: Sender
    readonly maxReplyChars: number
    readonly title?: string
  },
): PreparedReply => {
  const capped = capText(markdown, MAX_AGENT_OUTPUT_CHARS, TRUNCATION_NOTICE)
  const shaped = shapeReply(capped.text, options)
  const truncated = truncateReply(shaped.markdown, options.maxReplyChars)
  return {
    reply: {
      title: options.title === undefined ? shaped.title : titleOf(options.title),
      markdown: truncated.text,
      atUserIds: shaped.atUserIds,
    },
    truncated: capped.capped || truncated.truncated,
  }
}
