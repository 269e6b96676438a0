import type { InboundMessage } from "../domain/InboundMessage.js"

/** One agent session per group conversation (or per member of it), one per DM user. */
export const sessionKeyFor = (
  message: Pick<InboundMessage, "conversation" | "sender">,
  options: { readonly perUserInGroups: boolean },
): string =>
  message.conversation.kind === "dm"
    ? `dm:${message.sender.id}`
    : options.perUserInGroups
      ? `group:${message.conversation.id}:${message.sender.id}`
      : `group:${message.conversation.id}`
