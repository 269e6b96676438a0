import { lastUserText, startFakeChatCompletions, textChunks } from "@openpollen/agent-openai/testing"

export interface SlowModelOptions {
  /** How long the model thinks before its answer streams. */
  readonly delayMs: number
  /** Written before the question in the answer; none by default. */
  readonly answerPrefix?: string
}

interface Turn {
  readonly role: string
  readonly text: string
}

const textOf = (content: unknown): string => {
  if (typeof content === "string") return content
  if (!Array.isArray(content)) return ""
  return content
    .map((part: { type?: unknown; text?: unknown }) => (part.type === "text" ? String(part.text) : ""))
    .join("")
}

/**
 * An OpenAI-compatible chat-completions endpoint on 127.0.0.1 (the agent package's fake) that thinks for `delayMs`,
 * then streams the last user message back, after `answerPrefix`.
 */
export const startSlowModel = async (options: SlowModelOptions) => {
  let delayMs = options.delayMs
  const api = await startFakeChatCompletions({
    reply: (body) => ({
      kind: "stream",
      chunks: textChunks([`${options.answerPrefix ?? ""}${lastUserText(body)}`], delayMs),
    }),
  })
  const turnsOf = (body: { messages?: ReadonlyArray<{ role?: unknown; content?: unknown }> }) =>
    (body.messages ?? []).map(
      (message): Turn => ({ role: String(message.role), text: textOf(message.content) }),
    )
  return {
    /** Use as `agent.openai.baseUrl`. */
    baseUrl: api.url,
    /** Chat-completion requests answered or in progress so far. */
    requests: () => api.seen.length,
    /** Requests waiting for their answer right now, and the most at once. */
    inFlight: api.inFlight,
    maxInFlight: api.maxInFlight,
    /** Each request's messages as role and text, in arrival order. */
    transcripts: (): ReadonlyArray<ReadonlyArray<Turn>> => api.seen.map((call) => turnsOf(call.body)),
    /** Each request's messages with when it arrived and when its answer ended (Infinity while in progress). */
    calls: () =>
      api.seen.map((call) => ({
        turns: turnsOf(call.body),
        startedAt: call.at,
        answeredAt: call.endedAt ?? Number.POSITIVE_INFINITY,
      })),
    setDelay: (ms: number) => {
      delayMs = ms
    },
    close: api.close,
  }
}

export type SlowModel = Awaited<ReturnType<typeof startSlowModel>>
