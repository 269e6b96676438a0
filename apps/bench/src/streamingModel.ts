import { type Chunk, DONE, lastUserText, startFakeChatCompletions } from "@openpollen/agent-openai/testing"

const TOKEN = /bench-\d+-\d+/

export interface StreamingModelOptions {
  /** From the request to the first streamed token. */
  readonly firstTokenMs: number
  /** Tokens streamed after the first one, each this far after the one before. */
  readonly moreTokens: number
  readonly tokenIntervalMs: number
}

const delta = (content: string, afterMs: number): Chunk => ({
  data: { choices: [{ index: 0, delta: { content }, finish_reason: null }] },
  afterMs,
})

/**
 * An OpenAI-compatible chat-completions endpoint on 127.0.0.1 (the agent package's fake) with a known schedule: it
 * thinks for `firstTokenMs`, then streams the bench token of the last user message followed by `moreTokens` words,
 * one every `tokenIntervalMs`, then the stop and `[DONE]` at once. The fake records when it wrote each frame, so the
 * last token's time is the agent's last token as the bot could first see it.
 */
export const startStreamingModel = async (options: StreamingModelOptions) => {
  const pieces = (token: string) => [
    token,
    ...Array.from({ length: options.moreTokens }, (_, index) => ` 词${index + 1}`),
  ]
  const tokenOf = (body: unknown) => TOKEN.exec(lastUserText(body))?.[0] ?? "bench-0-0"
  const api = await startFakeChatCompletions({
    reply: (body) => ({
      kind: "stream",
      chunks: [
        ...pieces(tokenOf(body)).map((piece, index) =>
          delta(piece, index === 0 ? options.firstTokenMs : options.tokenIntervalMs),
        ),
        { data: { choices: [{ index: 0, delta: {}, finish_reason: "stop" }] } },
        DONE,
      ],
    }),
  })
  return {
    /** Use as `agent.openai.baseUrl`. */
    baseUrl: api.url,
    /** The complete answer to a message carrying `token`. */
    answerFor: (token: string) => pieces(token).join(""),
    /** `Date.now()` just before the answer's last token was written; undefined until then. */
    lastTokenAt: (token: string): number | undefined => {
      const call = api.seen.find((seen) => tokenOf(seen.body) === token)
      return call?.framesSentAt[options.moreTokens]
    },
    close: api.close,
  }
}

export type StreamingModel = Awaited<ReturnType<typeof startStreamingModel>>
