import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

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

export interface SeenRequest {
  readonly headers: IncomingHttpHeaders
  // biome-ignore lint/suspicious/noExplicitAny: the recorded JSON body is inspected freely by the tests
  readonly body: any
  readonly at: number
  /** When the answer ended or was abandoned; undefined while it is in progress. */
  readonly endedAt?: number
}

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

/**
 * A local stand-in for an OpenAI-compatible chat-completions endpoint: each request gets the next scripted reply
 * (else `options.reply`); it records what it was sent, how many answers are in progress, and notes when a client
 * went away before an answer ended.
 */
export const startFakeChatCompletions = async (options: FakeChatCompletionsOptions = {}) => {
  const seen: Array<SeenRequest & { endedAt?: number }> = []
  let inFlight = 0
  let maxInFlight = 0
  /** A reply, or one made from the request's body (e.g. a tool call on a path the prompt names). */
  const script: Array<Reply | ((body: SeenRequest["body"]) => Reply)> = []
  let abortedCount = 0
  const abortWaiters: Array<() => void> = []

  const stream = async (response: ServerResponse, chunks: ReadonlyArray<Chunk>, cutAfter?: number) => {
    response.writeHead(200, { "content-type": "text/event-stream" })
    for (const [index, chunk] of chunks.entries()) {
      if (cutAfter !== undefined && index === cutAfter) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        return response.socket?.destroy()
      }
      if (chunk.afterMs) await new Promise((resolve) => setTimeout(resolve, chunk.afterMs))
      if (response.destroyed) return
      response.write(`data: ${typeof chunk.data === "string" ? chunk.data : JSON.stringify(chunk.data)}\n\n`)
    }
  }

  const server = createServer(async (request, response) => {
    const received: Array<Buffer> = []
    for await (const part of request) received.push(part as Buffer)
    const body = JSON.parse(Buffer.concat(received).toString() || "{}")
    const call: SeenRequest & { endedAt?: number } = { headers: request.headers, body, at: Date.now() }
    seen.push(call)
    inFlight += 1
    maxInFlight = Math.max(maxInFlight, inFlight)
    response.on("close", () => {
      inFlight -= 1
      call.endedAt = Date.now()
      if (response.writableEnded) return
      abortedCount += 1
      for (const wake of abortWaiters.splice(0)) wake()
    })
    const next = script.shift()
    const reply: Reply =
      (typeof next === "function" ? next(body) : next) ?? (options.reply ?? echoReply)(body)
    if (reply.kind === "hang-up") return request.socket.destroy()
    if (reply.kind === "status")
      return response
        .writeHead(reply.status, {
          "content-type": "application/json",
          ...(reply.retryAfter === undefined ? {} : { "retry-after": reply.retryAfter }),
        })
        .end(reply.body ?? '{"error":{"message":"scripted"}}')
    if (reply.kind === "hold") return stream(response, reply.chunks ?? [])
    await stream(response, reply.chunks, reply.cutAfter)
    if (!response.destroyed) response.end()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    seen: seen as ReadonlyArray<SeenRequest>,
    /** Answers in progress now, and the most there were at once. */
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    script: (...replies: ReadonlyArray<Reply | ((body: SeenRequest["body"]) => Reply)>) =>
      void script.push(...replies),
    reset: () => {
      seen.length = 0
      script.length = 0
      maxInFlight = inFlight
    },
    /** Resolves once an answer in progress is abandoned by its client. */
    aborted: () => {
      const target = abortedCount + 1
      return new Promise<void>((resolve) => {
        const check = () => (abortedCount >= target ? resolve() : abortWaiters.push(check))
        check()
      })
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export type FakeChatCompletions = Awaited<ReturnType<typeof startFakeChatCompletions>>
