import type { Conversation, Sender } from "../domain/InboundMessage.js"
import type { OutboundReply } from "../domain/OutboundReply.js"
import { escapeHtmlOutsideInlineCode } from "./escapeHtml.js"
import { parseBlocks } from "./markdownBlocks.js"
import { titleOf } from "./titleOf.js"

/**
 * Makes agent Markdown safe and readable in DingTalk: raw HTML outside code is escaped (mobile clients blank the whole
 * message otherwise; `<font>` is kept), tables get the blank line they need before them. Code is left untouched.
 */
export const dingtalkMarkdown = (markdown: string): string => {
  const out: Array<string> = []
  let previous: string | undefined
  for (const block of parseBlocks(markdown)) {
    if (block.kind === "fence" || block.kind === "blank") out.push(block.text)
    else {
      if (block.kind === "table" && previous !== undefined && previous !== "blank") out.push("\n")
      out.push(escapeHtmlOutsideInlineCode(block.text))
    }
    previous = block.kind
  }
  return out.join("")
}

/** Shapes the agent's Markdown into a DingTalk reply; in groups it @-mentions the sender when their staffId is known. */
export const shapeReply = (
  markdown: string,
  context: { readonly conversation: Conversation; readonly sender?: Sender },
): OutboundReply => ({
  title: titleOf(markdown),
  markdown: dingtalkMarkdown(markdown),
  atUserIds:
    context.conversation.kind === "group" && context.sender?.staffId !== undefined
      ? [context.sender.staffId]
      : [],
})
