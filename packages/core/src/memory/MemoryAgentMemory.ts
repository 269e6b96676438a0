import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { AgentMemory, type AgentTurn } from "../ports/AgentMemory.js"
import { boundedTurn } from "../rules/boundedTurn.js"
import { setMostRecent } from "./setMostRecent.js"

export interface MemoryAgentMemoryOptions {
  /** Bound on remembered sessions; the least recently used go first. Default 1,000. */
  readonly maxSessions?: number
}

/** Conversation history held in process memory: enough for one bot instance, forgotten on restart. */
export const makeMemoryAgentMemory = (options: MemoryAgentMemoryOptions = {}) =>
  Effect.sync(() => {
    const maxSessions = Math.max(options.maxSessions ?? 1_000, 1)
    const sessions = new Map<string, ReadonlyArray<AgentTurn>>()

    const touch = (sessionKey: string, turns: ReadonlyArray<AgentTurn>) =>
      setMostRecent(sessions, sessionKey, turns, maxSessions)

    return AgentMemory.of({
      load: (sessionKey) =>
        Effect.sync(() => {
          const turns = sessions.get(sessionKey)
          if (turns === undefined) return []
          touch(sessionKey, turns)
          return turns
        }),
      append: (sessionKey, turns, maxTurns) =>
        Effect.sync(() => {
          const kept = Math.max(Math.floor(maxTurns), 0)
          const all = [...(sessions.get(sessionKey) ?? []), ...turns.map(boundedTurn)]
          if (kept === 0) return void sessions.delete(sessionKey)
          touch(sessionKey, all.slice(-kept))
        }),
      reset: (sessionKey) => Effect.sync(() => void sessions.delete(sessionKey)),
    })
  })

export const MemoryAgentMemory = {
  layer: (options: MemoryAgentMemoryOptions = {}) =>
    Layer.effect(AgentMemory, makeMemoryAgentMemory(options)),
}
