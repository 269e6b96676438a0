import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export class ConversationLeaseError extends Schema.TaggedError<ConversationLeaseError>()(
  "ConversationLeaseError",
  { message: Schema.String },
) {}

/**
 * Runs the agent for one conversation at a time across every bot instance, so turns that share a history never
 * interleave. Keys are `<robotCode>:<conversationId>`. Optional: one instance already answers a conversation in order.
 */
export class ConversationLease extends Context.Service<
  ConversationLease,
  {
    /** Runs `effect` once no other holder of `key` runs one, holding `key` until it ends, however it ends. */
    readonly withLease: <A, E, R>(
      key: string,
      effect: Effect.Effect<A, E, R>,
    ) => Effect.Effect<A, E | ConversationLeaseError, R>
  }
>()("@openpollen/core/ConversationLease") {}
