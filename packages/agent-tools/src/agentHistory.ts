import { AgentFailed, type AgentMemory, type AgentTurn } from "@openpollen/core"
import * as Effect from "effect/Effect"

type Memory = AgentMemory["Service"]

/** A session's earlier turns; without them the agent cannot answer in context, so it fails. */
export const loadHistory = (memory: Memory, sessionKey: string) =>
  memory.load(sessionKey).pipe(
    Effect.mapError(
      (error) =>
        new AgentFailed({
          reason: "unavailable",
          message: `the conversation history is unavailable (${error.message})`,
        }),
    ),
  )

/** The answer goes out even when it cannot be remembered: the next turn then lacks this one. */
export const rememberTurn = (
  memory: Memory,
  sessionKey: string,
  turns: ReadonlyArray<AgentTurn>,
  max: number,
) =>
  memory
    .append(sessionKey, turns, max)
    .pipe(
      Effect.catch((error) =>
        Effect.logWarning("could not remember the turn in the conversation history").pipe(
          Effect.annotateLogs({ error: error.message }),
        ),
      ),
    )

export const forgetHistory = (memory: Memory, sessionKey: string) =>
  memory.reset(sessionKey).pipe(
    Effect.mapError(
      (error) =>
        new AgentFailed({
          reason: "unavailable",
          message: `the conversation history could not be cleared (${error.message})`,
        }),
    ),
  )
