import { RobotMessenger, RobotSendFailed, sampleMarkdownParam } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { DingTalkApi } from "./DingTalkApi.js"
import { sendToGroup, sendToUsers } from "./robotSend.js"

/** Proactive `sampleMarkdown` messages through `groupMessages/send` and `oToMessages/batchSend`. */
export const makeOpenApiRobotMessenger = Effect.gen(function* () {
  const api = yield* DingTalkApi
  const failed = Effect.mapError(
    (failure: ConstructorParameters<typeof RobotSendFailed>[0]) => new RobotSendFailed(failure),
  )
  return RobotMessenger.of({
    sendToGroup: (openConversationId, message) =>
      sendToGroup(api, openConversationId, {
        msgKey: "sampleMarkdown",
        msgParam: sampleMarkdownParam(message),
      }).pipe(failed),
    sendToUsers: (staffIds, message) =>
      sendToUsers(api, staffIds, { msgKey: "sampleMarkdown", msgParam: sampleMarkdownParam(message) }).pipe(
        failed,
      ),
  })
})

export const openApiRobotMessengerLayer = Layer.effect(RobotMessenger, makeOpenApiRobotMessenger)
