import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export class DeadLettersError extends Schema.TaggedError<DeadLettersError>()("DeadLettersError", {
  message: Schema.String,
}) {}

/** A received message the journal gave up on; only ids and counts, never its text, sender or webhook. */
export interface DeadLetter {
  readonly id: string
  readonly msgId?: string
  readonly conversationId?: string
  /** Epoch ms it was received and it was given up on. */
  readonly receivedAt: number
  readonly deadAt: number
  /** How often it was handed out without being answered. */
  readonly deliveries: number
}

/**
 * The messages an InboundJournal moved aside after handing them out `maxDeliveries` times unanswered (a message
 * that crashes the bot each time, say), so that an operator can look, retry or drop them.
 */
export class DeadLetters extends Context.Service<
  DeadLetters,
  {
    readonly count: Effect.Effect<number, DeadLettersError>
    /** Oldest first, at most `limit`. */
    readonly list: (limit: number) => Effect.Effect<ReadonlyArray<DeadLetter>, DeadLettersError>
    /** Puts the message back into the journal, to be handed out again; false when no dead letter has that id. */
    readonly retry: (id: string) => Effect.Effect<boolean, DeadLettersError>
    /** Forgets the message for good; false when no dead letter has that id. */
    readonly drop: (id: string) => Effect.Effect<boolean, DeadLettersError>
  }
>()("@openpollen/core/DeadLetters") {}
