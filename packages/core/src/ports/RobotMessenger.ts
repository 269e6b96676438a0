import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { MarkdownMessage } from "../domain/OutboundReply.js"
import { DeliveryCertainty } from "./SessionWebhook.js"

export class RobotSendFailed extends Schema.TaggedError<RobotSendFailed>()("RobotSendFailed", {
  reason: Schema.Literals([
    "http",
    "throttled",
    "permission",
    "credentials",
    "rejected-users",
    "timeout",
    "network",
  ]),
  status: Schema.optional(Schema.Number),
  code: Schema.optional(Schema.String),
  retryable: Schema.Boolean,
  /** Whether the message certainly did not go out; absent counts as ambiguous. */
  certainty: Schema.optional(DeliveryCertainty),
  message: Schema.String,
}) {}

/** Proactive robot messages through the Open API (`sampleMarkdown`). */
export class RobotMessenger extends Context.Service<
  RobotMessenger,
  {
    /** `robot/groupMessages/send`; the message must fit 15,000 bytes of msgParam. */
    readonly sendToGroup: (
      openConversationId: string,
      message: MarkdownMessage,
    ) => Effect.Effect<void, RobotSendFailed>
    /** `robot/oToMessages/batchSend`; batches of at most 20 staffIds. */
    readonly sendToUsers: (
      staffIds: ReadonlyArray<string>,
      message: MarkdownMessage,
    ) => Effect.Effect<void, RobotSendFailed>
  }
>()("@openpollen/core/RobotMessenger") {}
