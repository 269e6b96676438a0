import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { ReplyRoute } from "../domain/InboundMessage.js"

export class ConversationStoreError extends Schema.TaggedError<ConversationStoreError>()(
  "ConversationStoreError",
  { message: Schema.String },
) {}

/**
 * The latest session webhook of each conversation, so that any bot instance can answer in it. Keys are
 * `<robotCode>:<conversationId>`: each robot has its own webhook in a shared group.
 */
export class ConversationStore extends Context.Service<
  ConversationStore,
  {
    /** Keeps `route` unless the stored route expires later; a route that has already expired is ignored. */
    readonly remember: (key: string, route: ReplyRoute) => Effect.Effect<void, ConversationStoreError>
    /** The stored route while it has not expired (by the Clock). */
    readonly latest: (key: string) => Effect.Effect<Option.Option<ReplyRoute>, ConversationStoreError>
  }
>()("@openpollen/core/ConversationStore") {}
