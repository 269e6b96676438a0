import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export class AgentMemoryError extends Schema.TaggedError<AgentMemoryError>()("AgentMemoryError", {
  message: Schema.String,
}) {}

/** One message of a conversation with the agent, without any model vendor's wire shape. */
export interface AgentTurn {
  readonly role: "user" | "assistant"
  readonly text: string
}

/**
 * The agent's conversation history per session (keys from `sessionKeyFor`), so whichever bot instance answers the
 * next message sees the earlier turns.
 */
export class AgentMemory extends Context.Service<
  AgentMemory,
  {
    /** The session's turns, oldest first; empty for a session it does not know. */
    readonly load: (sessionKey: string) => Effect.Effect<ReadonlyArray<AgentTurn>, AgentMemoryError>
    /** Adds `turns` after the stored ones and keeps only the newest `maxTurns`. */
    readonly append: (
      sessionKey: string,
      turns: ReadonlyArray<AgentTurn>,
      maxTurns: number,
    ) => Effect.Effect<void, AgentMemoryError>
    /** Forgets the session (`/new`, `/reset`). */
    readonly reset: (sessionKey: string) => Effect.Effect<void, AgentMemoryError>
  }
>()("@openpollen/core/AgentMemory") {}
