import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { MarkdownMessage } from "../domain/OutboundReply.js"

/** errcode 300001: the session webhook is dead; reply through the Open API instead. */
export class WebhookExpired extends Schema.TaggedError<WebhookExpired>()("WebhookExpired", {
  errcode: Schema.Number,
}) {}

/** errcode 460101: the body is over 20,000 bytes. */
export class WebhookOversize extends Schema.TaggedError<WebhookOversize>()("WebhookOversize", {
  errcode: Schema.Number,
}) {}

/**
 * `certain`: the message was not delivered (refused before sending, or DingTalk said so). `ambiguous`: it may have
 * been (an HTTP 5xx, a reset or a timeout after the request went out). Absent counts as ambiguous.
 */
export const DeliveryCertainty = Schema.Literals(["certain", "ambiguous"])
export type DeliveryCertainty = typeof DeliveryCertainty.Type

/** Any other failure: a non-zero errcode, an HTTP error, a timeout, or a URL outside the configured origin. */
export class WebhookFailed extends Schema.TaggedError<WebhookFailed>()("WebhookFailed", {
  reason: Schema.Literals(["errcode", "http", "timeout", "network", "untrusted-url"]),
  errcode: Schema.optional(Schema.Number),
  status: Schema.optional(Schema.Number),
  certainty: Schema.optional(DeliveryCertainty),
  message: Schema.String,
}) {}

export type WebhookError = WebhookExpired | WebhookOversize | WebhookFailed

export class SessionWebhook extends Context.Service<
  SessionWebhook,
  {
    readonly send: (url: string, message: MarkdownMessage) => Effect.Effect<void, WebhookError>
  }
>()("@openpollen/core/SessionWebhook") {}
