import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** One server-sent event, sent `afterMs` after the previous one. */
export interface SseEvent {
  readonly event: string
  readonly data: unknown
  readonly afterMs?: number
}

/** What the fake does with one request. */
export type Reply =
  | { readonly kind: "stream"; readonly events: ReadonlyArray<SseEvent>; readonly cutAfter?: number }
  | { readonly kind: "status"; readonly status: number; readonly retryAfter?: string; readonly body?: string }
  /** Sends `events`, then holds the response open until the client gives up. */
  | { readonly kind: "hold"; readonly events?: ReadonlyArray<SseEvent> }

export interface SeenRequest {
  readonly headers: IncomingHttpHeaders
  // biome-ignore lint/suspicious/noExplicitAny: the recorded JSON body is inspected freely by the tests
  readonly body: any
  readonly at: number
}

export const textEvents = (chunks: ReadonlyArray<string>, afterMs = 0): ReadonlyArray<SseEvent> => [
  { event: "message_start", data: { type: "message_start", message: { id: "msg_1", role: "assistant" } } },
  {
    event: "content_block_start",
    data: { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
  },
  ...chunks.map((text) => ({
    event: "content_block_delta",
    data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } },
    afterMs,
  })),
  { event: "content_block_stop", data: { type: "content_block_stop", index: 0 } },
  { event: "message_delta", data: { type: "message_delta", delta: { stop_reason: "end_turn" } } },
  { event: "message_stop", data: { type: "message_stop" } },
]

let toolIds = 0
/** A turn that says `preface` and then asks for read_file on each path (its JSON input split in two deltas). */
export const toolUseEvents = (paths: ReadonlyArray<string>, preface = ""): ReadonlyArray<SseEvent> => {
  const offset = preface === "" ? 0 : 1
  return [
    { event: "message_start", data: { type: "message_start", message: { id: "msg_t", role: "assistant" } } },
    ...(preface === ""
      ? []
      : [
          {
            event: "content_block_start",
            data: { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
          },
          {
            event: "content_block_delta",
            data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: preface } },
          },
          { event: "content_block_stop", data: { type: "content_block_stop", index: 0 } },
        ]),
    ...paths.flatMap((path, at) => {
      const index = at + offset
      const json = JSON.stringify({ path })
      return [
        {
          event: "content_block_start",
          data: {
            type: "content_block_start",
            index,
            content_block: { type: "tool_use", id: `toolu_${++toolIds}`, name: "read_file", input: {} },
          },
        },
        {
          event: "content_block_delta",
          data: {
            type: "content_block_delta",
            index,
            delta: { type: "input_json_delta", partial_json: json.slice(0, 5) },
          },
        },
        {
          event: "content_block_delta",
          data: {
            type: "content_block_delta",
            index,
            delta: { type: "input_json_delta", partial_json: json.slice(5) },
          },
        },
        { event: "content_block_stop", data: { type: "content_block_stop", index } },
      ]
    }),
    { event: "message_delta", data: { type: "message_delta", delta: { stop_reason: "tool_use" } } },
    { event: "message_stop", data: { type: "message_stop" } },
  ]
}

const lastUserText = (body: SeenRequest["body"]): string => {
  const last = body?.messages?.at(-1)?.content
  if (typeof last === "string") return last
  return Array.isArray(last)
    ? (last.find((block: { type: string }) => block.type === "text")?.text ?? "")
    : ""
}

/**
 * A local stand-in for the Messages API: it answers each request with the next scripted reply (by default it
 * streams `echo: <last user text>` in two deltas), records what it was sent, and notes when a client went away
 * before an answer ended.
 */
export const startFakeMessagesApi = async () => {
  const seen: Array<SeenRequest> = []
  /** A reply, or one made from the request's body (e.g. a tool call on a path the prompt names). */
  const script: Array<Reply | ((body: SeenRequest["body"]) => Reply)> = []
  const sentAt: Array<number> = []
  let abortedCount = 0
  const abortWaiters: Array<() => void> = []
  const noteAborted = () => {
    abortedCount += 1
    for (const wake of abortWaiters.splice(0)) wake()
  }

  const stream = async (response: ServerResponse, events: ReadonlyArray<SseEvent>, cutAfter?: number) => {
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
    for (const [index, event] of events.entries()) {
      if (cutAfter !== undefined && index === cutAfter) {
        // Let what was written reach the client first: the cut comes midway, not before the answer starts.
        await new Promise((resolve) => setTimeout(resolve, 100))
        return response.socket?.destroy()
      }
      if (event.afterMs) await new Promise((resolve) => setTimeout(resolve, event.afterMs))
      if (response.destroyed) return
      sentAt.push(Date.now())
      response.write(`event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`)
    }
  }

  const server = createServer(async (request, response) => {
    const chunks: Array<Buffer> = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const body = JSON.parse(Buffer.concat(chunks).toString() || "{}")
    seen.push({ headers: request.headers, body, at: Date.now() })
    response.on("close", () => {
      if (!response.writableEnded) noteAborted()
    })
    const next = script.shift()
    const reply: Reply = (typeof next === "function" ? next(body) : next) ?? {
      kind: "stream",
      events: textEvents(["echo: ", lastUserText(body)]),
    }
    if (reply.kind === "status") {
      return response
        .writeHead(reply.status, {
          "content-type": "application/json",
          ...(reply.retryAfter === undefined ? {} : { "retry-after": reply.retryAfter }),
        })
        .end(reply.body ?? '{"type":"error","error":{"type":"api_error","message":"scripted"}}')
    }
    await stream(
      response,
      reply.kind === "hold" ? (reply.events ?? []) : reply.events,
      reply.kind === "stream" ? reply.cutAfter : undefined,
    )
    if (reply.kind === "stream" && !response.destroyed) response.end()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    sentAt,
    /** Queues replies for the next requests, in order. */
    script: (...replies: ReadonlyArray<Reply | ((body: SeenRequest["body"]) => Reply)>) =>
      void script.push(...replies),
    reset: () => {
      seen.length = 0
      script.length = 0
      sentAt.length = 0
    },
    /** Resolves once an answer in progress after this call is abandoned by its client. */
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

export type FakeMessagesApi = Awaited<ReturnType<typeof startFakeMessagesApi>>
