import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"

const TOKEN = /bench-\d+-\d+/

export interface StreamingModelOptions {
  /** From the request to the first streamed token. */
  readonly firstTokenMs: number
  /** Tokens streamed after the first one, each this far after the one before. */
  readonly moreTokens: number
  readonly tokenIntervalMs: number
}

export interface StreamingModel {
  /** Use as `agent.openai.baseUrl`. */
  readonly baseUrl: string
  /** The complete answer to a message carrying `token`. */
  readonly answerFor: (token: string) => string
  /** `Date.now()` when the answer's last token was written to the socket; undefined until then. */
  readonly lastTokenAt: (token: string) => number | undefined
  readonly close: () => Promise<void>
}

const readJson = async (request: IncomingMessage): Promise<unknown> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString("utf8"))
}

/** The last user message's text, whatever shape its content has. */
const lastUserText = (body: unknown): string => {
  const messages = (body as { messages?: ReadonlyArray<{ role?: string; content?: unknown }> }).messages ?? []
  const content = messages.filter((message) => message.role === "user").at(-1)?.content
  if (typeof content === "string") return content
  if (!Array.isArray(content)) return ""
  return content.map((part: { text?: unknown }) => (typeof part.text === "string" ? part.text : "")).join("")
}

const event = (data: unknown) => `data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`
const delta = (content: string) => event({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })

/**
 * An OpenAI-compatible chat-completions endpoint on 127.0.0.1 with a known schedule: it thinks for `firstTokenMs`,
 * then streams the bench token of the last user message followed by `moreTokens` words, one every
 * `tokenIntervalMs`. The last word, the stop and `[DONE]` leave in one write, and its time is recorded: the agent's
 * last token as the bot could first see it.
 */
export const startStreamingModel = async (options: StreamingModelOptions): Promise<StreamingModel> => {
  const lastTokens = new Map<string, number>()
  const timers = new Set<NodeJS.Timeout>()
  const pieces = (token: string) => [
    token,
    ...Array.from({ length: options.moreTokens }, (_, index) => ` 词${index + 1}`),
  ]
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      run()
    }, ms)
    timers.add(timer)
  }
  const server = createServer((request, response) => {
    if (request.method !== "POST" || request.url !== "/v1/chat/completions") {
      response.writeHead(404).end()
      return
    }
    void readJson(request)
      .then((body) => {
        const token = TOKEN.exec(lastUserText(body))?.[0] ?? "bench-0-0"
        const words = pieces(token)
        const send = (index: number) => {
          if (index === 0) response.writeHead(200, { "content-type": "text/event-stream" })
          if (index < words.length - 1) {
            response.write(delta(words[index] as string))
            later(options.tokenIntervalMs, () => send(index + 1))
            return
          }
          lastTokens.set(token, Date.now())
          response.end(
            delta(words[index] as string) +
              event({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }) +
              event("[DONE]"),
          )
        }
        later(options.firstTokenMs, () => send(0))
      })
      .catch(() => response.writeHead(400).end())
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    answerFor: (token) => pieces(token).join(""),
    lastTokenAt: (token) => lastTokens.get(token),
    close: async () => {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
