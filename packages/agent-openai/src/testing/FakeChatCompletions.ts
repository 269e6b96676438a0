import {
  type ScriptedAnswer,
  type SeenRequest,
  startScriptedSseServer,
} from "@openpollen/agent-tools/testing"

export type { SeenRequest }

/** One streamed chunk (`data:` JSON, or the literal `[DONE]`), sent `afterMs` after the previous one. */
export interface Chunk {
  readonly data: unknown
  readonly afterMs?: number
}

export type Reply =
  | { readonly kind: "stream"; readonly chunks: ReadonlyArray<Chunk>; readonly cutAfter?: number }
  | { readonly kind: "status"; readonly status: number; readonly retryAfter?: string; readonly body?: string }
  /** Closes the connection without answering. */
  | { readonly kind: "hang-up" }
  /** Sends `chunks`, then holds the response open until the client gives up. */
  | { readonly kind: "hold"; readonly chunks?: ReadonlyArray<Chunk> }

export const DONE: Chunk = { data: "[DONE]" }

export const textChunks = (texts: ReadonlyArray<string>, afterMs = 0): ReadonlyArray<Chunk> => [
  { data: { choices: [{ delta: { role: "assistant", content: "" }, finish_reason: null }] } },
  ...texts.map((content) => ({ data: { choices: [{ delta: { content }, finish_reason: null }] }, afterMs })),
  { data: { choices: [{ delta: {}, finish_reason: "stop" }] } },
  DONE,
]

let callIds = 0
/** A turn that asks for read_file on each path, its arguments split across two chunks. */
export const toolCallChunks = (paths: ReadonlyArray<string>): ReadonlyArray<Chunk> => [
  ...paths.flatMap((path, index) => {
    const json = JSON.stringify({ path })
    const id = `call_${++callIds}`
    return [
      {
        data: {
          choices: [
            {
              delta: {
                tool_calls: [
                  {
                    index,
                    id,
                    type: "function",
                    function: { name: "read_file", arguments: json.slice(0, 4) },
                  },
                ],
              },
            },
          ],
        },
      },
      { data: { choices: [{ delta: { tool_calls: [{ index, function: { arguments: json.slice(4) } }] } }] } },
    ]
  }),
  { data: { choices: [{ delta: {}, finish_reason: "tool_calls" }] } },
  DONE,
]

export const lastUserText = (body: SeenRequest["body"]): string => {
  const last = body?.messages?.at(-1)?.content
  if (typeof last === "string") return last
  return Array.isArray(last) ? (last.find((part: { type: string }) => part.type === "text")?.text ?? "") : ""
}

export interface FakeChatCompletionsOptions {
  /** The reply to a request nothing is scripted for; by default `echo: <last user text>` in two chunks. */
  readonly reply?: (body: SeenRequest["body"]) => Reply
}

const echoReply = (body: SeenRequest["body"]): Reply => ({
  kind: "stream",
  chunks: textChunks(["echo: ", lastUserText(body)]),
})

const frame = (chunk: Chunk) => ({
  text: `data: ${typeof chunk.data === "string" ? chunk.data : JSON.stringify(chunk.data)}\n\n`,
  ...(chunk.afterMs === undefined ? {} : { afterMs: chunk.afterMs }),
})

const onTheWire = (reply: Reply): ScriptedAnswer => {
  switch (reply.kind) {
    case "status":
      return { ...reply, body: reply.body ?? '{"error":{"message":"scripted"}}' }
    case "hang-up":
      return reply
    case "hold":
      return { kind: "hold", frames: (reply.chunks ?? []).map(frame) }
    case "stream":
      return {
        kind: "stream",
        frames: reply.chunks.map(frame),
        ...(reply.cutAfter === undefined ? {} : { cutAfter: reply.cutAfter }),
      }
  }
}

/**
 * A local stand-in for an OpenAI-compatible chat-completions endpoint: each request gets the next scripted reply
 * (else `options.reply`); it records what it was sent, how many answers are in progress, and notes when a client
 * went away before an answer ended.
 */
export const startFakeChatCompletions = (options: FakeChatCompletionsOptions = {}) =>
  startScriptedSseServer<Reply>({
    basePath: "/v1",
    defaultReply: options.reply ?? echoReply,
    answer: onTheWire,
  })

export type FakeChatCompletions = Awaited<ReturnType<typeof startFakeChatCompletions>>
