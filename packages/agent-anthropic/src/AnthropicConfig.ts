import type * as Redacted from "effect/Redacted"

export interface AnthropicAgentConfig {
  /** Without `/v1`: the agent posts to `{baseUrl}/v1/messages`. */
  readonly baseUrl: string
  readonly apiKey?: Redacted.Redacted<string>
  readonly model: string
  readonly maxTokens: number
  /** Until the answer starts, and then between two streamed events. */
  readonly timeoutMs: number
  readonly maxHistoryMessages: number
  readonly systemPrompt?: string
  /** The folders read_file may serve: the uploads folder first, then an optional workspace. */
  readonly folders: ReadonlyArray<string>
}

export const ANTHROPIC_DEFAULTS = {
  baseUrl: "https://api.anthropic.com",
  model: "claude-sonnet-4-5",
  maxTokens: 4096,
  timeoutMs: 60_000,
  maxHistoryMessages: 20,
} as const

export const ANTHROPIC_VERSION = "2023-06-01"

/** The Messages API refuses a base64 image longer than this. */
export const MAX_IMAGE_BASE64_BYTES = 5 * 1024 * 1024
