import * as Effect from "effect/Effect"
import { ChannelSettings } from "../ports/ChannelSettings.js"
import { prepareReply } from "../rules/prepareReply.js"
import { splitReplyForWire } from "../rules/splitForWire.js"
import { type OpenApiTarget, sendThroughOpenApi } from "./sendThroughOpenApi.js"

/**
 * A proactive message through the Open API, shaped, truncated and split exactly as replies are: to a group by
 * openConversationId (`cid…`), otherwise to one user by staffId. `title` defaults to one derived from the text.
 */
export const sendMarkdown = Effect.fnUntraced(function* (to: string, markdown: string, title?: string) {
  const settings = yield* ChannelSettings
  const target: OpenApiTarget = to.startsWith("cid")
    ? { route: "group", openConversationId: to }
    : { route: "users", staffId: to }
  const { reply } = prepareReply(markdown, {
    conversation: { id: to, kind: target.route === "group" ? "group" : "dm" },
    maxReplyChars: settings.maxReplyChars,
    ...(title === undefined ? {} : { title }),
  })
  const parts = splitReplyForWire(reply, target.route).parts
  return yield* sendThroughOpenApi(target, parts, { partOffset: 0, alreadyDelivered: 0 })
})
