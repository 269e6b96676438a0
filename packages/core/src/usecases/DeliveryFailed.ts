import * as Schema from "effect/Schema"
import { DeliveryCertainty } from "../ports/SessionWebhook.js"

/** Why the Open API carried a reply instead of its session webhook. */
export const FallbackReason = Schema.Literals(["expired", "errcode", "http", "network", "untrusted-host"])
export type FallbackReason = typeof FallbackReason.Type

/** A reply that did not fully go out: which route and part failed, how many parts went out, and the port's detail. */
export class DeliveryFailed extends Schema.TaggedError<DeliveryFailed>()("DeliveryFailed", {
  route: Schema.Literals(["webhook", "group", "users"]),
  /** The port's reason (`http`, `throttled`, `errcode`, …), or `no-staff-id` when no route could take the reply. */
  reason: Schema.String,
  /** Index of the part that failed, counting every part of the reply. */
  part: Schema.Number,
  delivered: Schema.Number,
  /** Parts sent a second time, before this failure, because their first delivery was unknown. */
  ambiguousRetries: Schema.Number,
  certainty: DeliveryCertainty,
  status: Schema.optional(Schema.Number),
  errcode: Schema.optional(Schema.Number),
  code: Schema.optional(Schema.String),
  message: Schema.String,
}) {}
