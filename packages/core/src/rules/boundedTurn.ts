import type { AgentTurn } from "../ports/AgentMemory.js"
import { leadingGraphemes } from "./graphemes.js"

/** A stored turn keeps at most this many characters of its text; a longer one is cut (grapheme-safe). */
export const MAX_AGENT_TURN_CHARS = 16_000

/** `turn` as every AgentMemory stores it: its text cut to MAX_AGENT_TURN_CHARS. */
export const boundedTurn = (turn: AgentTurn): AgentTurn => ({
  role: turn.role,
  text: leadingGraphemes(turn.text, MAX_AGENT_TURN_CHARS),
})
