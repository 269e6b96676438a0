import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** One server-sent event, already written out (`event: …\ndata: …\n\n`), sent `afterMs` after the previous one. */
export interface SseFrame {
  readonly text: string
  readonly afterMs?: number
}

/** What the server does with one request. */
export type ScriptedAnswer =
  /** Streams the frames, then ends; `cutAfter` drops the connection before that frame instead. */
  | { readonly kind: "stream"; readonly frames: ReadonlyArray<SseFrame>; readonly cutAfter?: number }
  | { readonly kind: "status"; readonly status: number; readonly retryAfter?: string; readonly body: string }
  /** Closes the connection without answering. */
  | { readonly kind: "hang-up" }
  /** Sends the frames, then holds the response open until the client gives up. */
  | { readonly kind: "hold"; readonly frames: ReadonlyArray<SseFrame> }

export interface SeenRequest {
  readonly headers: IncomingHttpHeaders
  // biome-ignore lint/suspicious/noExplicitAny: the recorded JSON body is inspected freely by the tests
  readonly body: any
  readonly at: number
  /** When the answer ended or was abandoned; undefined while it is in progress. */
  readonly endedAt?: number
  /** When each of its frames was written (`Date.now()` just before the write). */
  readonly framesSentAt: ReadonlyArray<number>
}

type Call = SeenRequest & { endedAt?: number; readonly framesSentAt: Array<number> }

export interface ScriptedSseServerOptions<Reply> {
  /** Appended to the origin in `url` (e.g. `/v1`). */
  readonly basePath?: string
  /** The reply to a request nothing is scripted for. */
  readonly defaultReply: (body: SeenRequest["body"]) => Reply
  /** How a vendor fake's reply goes on the wire. */
  readonly answer: (reply: Reply) => ScriptedAnswer
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A local model API for tests: each request gets the next scripted reply (or the default one) as server-sent events
 * or an HTTP status; it records what it was sent and when each frame went out, counts answers in flight, and notes
 * when a client went away before an answer ended.
 */
export const startScriptedSseServer = async <Reply>(options: ScriptedSseServerOptions<Reply>) => {
  const seen: Array<Call> = []
  const script: Array<Reply | ((body: SeenRequest["body"]) => Reply)> = []
  let inFlight = 0
  let maxInFlight = 0
  let abortedCount = 0
  const abortWaiters: Array<() => void> = []

  const stream = async (
    call: Call,
    response: ServerResponse,
    frames: ReadonlyArray<SseFrame>,
    cutAfter?: number,
  ) => {
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
    for (const [index, frame] of frames.entries()) {
      if (cutAfter !== undefined && index === cutAfter) {
        // Let what was written reach the client first: the cut comes midway, not before the answer starts.
        await pause(100)
        return response.socket?.destroy()
      }
      if (frame.afterMs) await pause(frame.afterMs)
      if (response.destroyed) return
      call.framesSentAt.push(Date.now())
      response.write(frame.text)
    }
  }

  const server = createServer(async (request, response) => {
    const received: Array<Buffer> = []
    for await (const part of request) received.push(part as Buffer)
    const body = JSON.parse(Buffer.concat(received).toString() || "{}")
    const call: Call = { headers: request.headers, body, at: Date.now(), framesSentAt: [] }
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
    const scripted = typeof next === "function" ? (next as (from: typeof body) => Reply)(body) : next
    const answer = options.answer(scripted ?? options.defaultReply(body))
    if (answer.kind === "hang-up") return request.socket.destroy()
    if (answer.kind === "status")
      return response
        .writeHead(answer.status, {
          "content-type": "application/json",
          ...(answer.retryAfter === undefined ? {} : { "retry-after": answer.retryAfter }),
        })
        .end(answer.body)
    if (answer.kind === "hold") return stream(call, response, answer.frames)
    await stream(call, response, answer.frames, answer.cutAfter)
    if (!response.destroyed) response.end()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${options.basePath ?? ""}`,
    seen: seen as ReadonlyArray<SeenRequest>,
    /** When each frame was written, across all answers, in order. */
    get sentAt(): ReadonlyArray<number> {
      return seen.flatMap((call) => call.framesSentAt).sort((a, b) => a - b)
    },
    /** Answers in progress now, and the most there were at once. */
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    /** Queues replies for the next requests, in order; a function makes one from the request's body. */
    script: (...replies: ReadonlyArray<Reply | ((body: SeenRequest["body"]) => Reply)>) =>
      void script.push(...replies),
    reset: () => {
      seen.length = 0
      script.length = 0
      maxInFlight = inFlight
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

export type ScriptedSseServer<Reply> = Awaited<ReturnType<typeof startScriptedSseServer<Reply>>>
