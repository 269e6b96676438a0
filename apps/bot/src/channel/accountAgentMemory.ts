import { AgentMemory } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * The shared AgentMemory as one account sees it: its sessions under `@<account>:`, so two robots talking to one user
 * keep two histories. The `default` account keeps the bare keys, so a single-robot bot's history carries over.
 */
export const accountAgentMemory = (account: string): Layer.Layer<AgentMemory, never, AgentMemory> =>
  Layer.effect(
    AgentMemory,
    Effect.map(Effect.service(AgentMemory), (shared) => {
      const prefix = `@${account}:`
      return AgentMemory.of({
        load: (sessionKey) => shared.load(prefix + sessionKey),
        append: (sessionKey, turns, maxTurns) => shared.append(prefix + sessionKey, turns, maxTurns),
        reset: (sessionKey) => shared.reset(prefix + sessionKey),
      })
    }),
  )
