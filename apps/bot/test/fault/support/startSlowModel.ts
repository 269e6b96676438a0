import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"

export interface SlowModel {
  /** Use as `agent.openai.baseUrl`. */
  readonly baseUrl: string
  /** Chat-completion requests answered or in progress so far. */
  readonly requests: () => number
  /** Requests waiting for their answer right now. */
  readonly inFlight: () => number
  readonly maxInFlight: () => number
  /** Each request's messages as role and text, in arrival order. */
  readonly transcripts: () => ReadonlyArray<ReadonlyArray<{ readonly role: string; readonly text: string }>>
  readonly close: () => Promise<void>
}

interface ChatRequest {
  readonly stream?: boolean
  readonly messages?: ReadonlyArray<{ readonly role?: string; readonly content?: unknown }>
}

const readJson = async (request: IncomingMessage): Promise<unknown> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString("utf8"))
}

const textOf = (content: unknown): string => {
  if (typeof content === "string") return content
  if (!Array.isArray(content)) return ""
  return content
    .map((part: { type?: unknown; text?: unknown }) => (part.type === "text" ? String(part.text) : ""))
    .join("")
}

/**
 * An OpenAI-compatible chat-completions endpoint on 127.0.0.1 that thinks for `delayMs`, then answers with the
 * last user message verbatim: streamed as server-sent events when the request asks for `stream`, else in one piece.
 */
export const startSlowModel = async (options: { readonly delayMs: number }): Promise<SlowModel> => {
  let requests = 0
  let inFlight = 0
  let maxInFlight = 0
  const transcripts: Array<ReadonlyArray<{ readonly role: string; readonly text: string }>> = []
  const timers = new Set<NodeJS.Timeout>()
  const server = createServer((request, response) => {
    if (request.method !== "POST" || request.url !== "/v1/chat/completions") {
      response.writeHead(404).end()
      return
    }
    requests += 1
    inFlight += 1
    maxInFlight = Math.max(maxInFlight, inFlight)
    void readJson(request)
      .then((body) => {
        const messages = (body as ChatRequest).messages ?? []
        transcripts.push(
          messages.map((message) => ({ role: String(message.role), text: textOf(message.content) })),
        )
        const last = messages.filter((message) => message.role === "user").at(-1)
        const timer = setTimeout(() => {
          timers.delete(timer)
          inFlight -= 1
          const answer = textOf(last?.content)
          if ((body as ChatRequest).stream === true) {
            const event = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`
            response.writeHead(200, { "content-type": "text/event-stream" }).end(
              event({
                choices: [{ index: 0, delta: { role: "assistant", content: answer }, finish_reason: null }],
              }) +
                event({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }) +
                "data: [DONE]\n\n",
            )
            return
          }
          response.writeHead(200, { "content-type": "application/json" }).end(
            JSON.stringify({
              id: `chatcmpl-${requests}`,
              object: "chat.completion",
              model: "slow-echo",
              choices: [{ index: 0, message: { role: "assistant", content: answer }, finish_reason: "stop" }],
            }),
          )
        }, options.delayMs)
        timers.add(timer)
      })
      .catch(() => {
        inFlight -= 1
        response.writeHead(400).end()
      })
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests: () => requests,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    transcripts: () => transcripts,
    close: async () => {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
