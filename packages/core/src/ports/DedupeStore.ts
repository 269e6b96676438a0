import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export class DedupeStoreError extends Schema.TaggedError<DedupeStoreError>()("DedupeStoreError", {
  message: Schema.String,
}) {}

/** `claimed`: first delivery, now in flight. `in-flight`: another delivery is being handled. `done`: already answered. */
export type ClaimResult = "claimed" | "in-flight" | "done"

/** Drops redeliveries. Keys are `<robotCode>:<createAt>:<msgId>` (`dedupeKey`); entries live at least the store's TTL (>= 5 min). */
export class DedupeStore extends Context.Service<
  DedupeStore,
  {
    readonly claim: (key: string) => Effect.Effect<ClaimResult, DedupeStoreError>
    /** The message was handled: later deliveries answer `done` until the TTL ends. */
    readonly complete: (key: string) => Effect.Effect<void, DedupeStoreError>
    /** Handling failed before any reply went out: a redelivery may try again. */
    readonly release: (key: string) => Effect.Effect<void, DedupeStoreError>
  }
>()("@openpollen/core/DedupeStore") {}
