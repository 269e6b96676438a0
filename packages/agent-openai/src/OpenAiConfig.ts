import type * as Redacted from "effect/Redacted"

export interface OpenAiAgentConfig {
  /** Up to and including `/v1`: the agent posts to `{baseUrl}/chat/completions`. */
  readonly baseUrl: string
  readonly apiKey?: Redacted.Redacted<string>
  readonly model: string
  /** Until the answer starts, and then between two streamed events. */
  readonly timeoutMs: number
  readonly maxHistoryMessages: number
  readonly systemPrompt?: string
  /** Offer the read_file tool; false for models without function calling. */
  readonly tools: boolean
  /** The folders read_file may serve: the uploads folder first, then an optional workspace. */
  readonly folders: ReadonlyArray<string>
}

export const OPENAI_DEFAULTS = {
  baseUrl: "https://api.openai.com/v1",
  model: "gpt-4o-mini",
  timeoutMs: 60_000,
  maxHistoryMessages: 20,
  tools: true,
} as const

/** Pictures larger than this are described in text rather than sent. */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024
