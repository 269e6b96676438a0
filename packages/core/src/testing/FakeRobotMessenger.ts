import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { MarkdownMessage } from "../domain/OutboundReply.js"
import { RobotMessenger, RobotSendFailed } from "../ports/RobotMessenger.js"

export type RobotSend =
  | { readonly to: "group"; readonly openConversationId: string; readonly message: MarkdownMessage }
  | { readonly to: "users"; readonly staffIds: ReadonlyArray<string>; readonly message: MarkdownMessage }

/** Records every Open API send; failures are scripted per call with `failNext`. */
export const makeFakeRobotMessenger = () => {
  const sent: Array<RobotSend> = []
  const scripted: Array<RobotSendFailed> = []
  const unknownStaffIds = new Set<string>()
  const attempt = (record: RobotSend) =>
    Effect.suspend(() => {
      const failure = scripted.shift()
      if (failure !== undefined) return Effect.fail(failure)
      sent.push(record)
      return Effect.void
    })
  return {
    layer: Layer.succeed(
      RobotMessenger,
      RobotMessenger.of({
        sendToGroup: (openConversationId, message) => attempt({ to: "group", openConversationId, message }),
        sendToUsers: (staffIds, message) => {
          const unknown = staffIds.filter((id) => unknownStaffIds.has(id))
          if (unknown.length > 0)
            return Effect.fail(
              new RobotSendFailed({
                reason: "rejected-users",
                retryable: false,
                certainty: "certain",
                message: `${unknown.length} of ${staffIds.length} users are not reachable`,
              }),
            )
          return attempt({ to: "users", staffIds: [...staffIds], message })
        },
      }),
    ),
    sent,
    /** These staffIds come back in invalidStaffIdList, as users outside the bot's range do. */
    rejectStaffIds: (...ids: ReadonlyArray<string>) => {
      for (const id of ids) unknownStaffIds.add(id)
    },
    failNext: (...errors: ReadonlyArray<RobotSendFailed>) => void scripted.push(...errors),
  }
}
