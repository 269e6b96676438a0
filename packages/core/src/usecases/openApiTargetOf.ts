import type { InboundMessage } from "../domain/InboundMessage.js"
import type { OpenApiTarget } from "./sendThroughOpenApi.js"

/** The Open API route for the conversation; a DM sender without a staffId has none. */
export const openApiTargetOf = (message: InboundMessage): OpenApiTarget | undefined =>
  message.conversation.kind === "group"
    ? { route: "group", openConversationId: message.conversation.id }
    : message.sender.staffId === undefined
      ? undefined
      : { route: "users", staffId: message.sender.staffId }
