import { createRequire } from "node:module"
import type { Agent, Dispatcher } from "undici"

export interface JsonAnswer {
  readonly status: number
  /** The parsed body; undefined when it is not JSON or over the size cap. */
  readonly body: unknown
}

export class PostFailed extends Error {
  constructor(
    readonly kind: "timeout" | "network",
    /** The request never reached the server (refused, no such host): it certainly was not delivered. */
    readonly notSent = false,
  ) {
    super(kind === "timeout" ? "timed out" : "unreachable")
  }
}

const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
])
const notSent = (error: unknown): boolean =>
  NOT_SENT_CODES.has((error as { readonly code?: unknown } | undefined)?.code as string)

/** An answer is a small JSON object; anything longer is not worth reading. */
const MAX_ANSWER_BYTES = 64 * 1024
/** Below the idle timeout of common servers (Node's default is 5 s), so a reused socket is rarely one they closed. */
const FREE_SOCKET_TIMEOUT_MS = 4_000
const HEADERS = { "content-type": "application/json", accept: "application/json" }

export interface JsonPoster {
  readonly post: (url: URL, body: string, timeoutMs: number, signal: AbortSignal) => Promise<JsonAnswer>
  readonly close: () => void
}

const parseAnswer = (status: number, chunks: ReadonlyArray<Buffer>, size: number): JsonAnswer => {
  if (size > MAX_ANSWER_BYTES) return { status, body: undefined }
  try {
    return { status, body: JSON.parse(Buffer.concat(chunks, size).toString("utf8")) }
  } catch {
    return { status, body: undefined }
  }
}

/** One POST's life: the answer read up to the cap, or the first failure; the deadline and the signal abort it. */
const exchange = (
  agent: Agent,
  url: URL,
  body: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<JsonAnswer> =>
  new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined
    let failure: PostFailed | undefined
    let finished = false
    let status = 0
    let size = 0
    const chunks: Array<Buffer> = []
    const finish = () => {
      finished = true
      clearTimeout(deadline)
      signal.removeEventListener("abort", interrupted)
    }
    const fail = (kind: PostFailed["kind"]) => () => {
      if (finished) return
      failure = new PostFailed(kind)
      finish()
      controller?.abort(failure)
      reject(failure)
    }
    const deadline = setTimeout(fail("timeout"), timeoutMs)
    const interrupted = fail("network")
    signal.addEventListener("abort", interrupted, { once: true })
    if (signal.aborted) return interrupted()
    agent.dispatch(
      { origin: url.origin, path: `${url.pathname}${url.search}`, method: "POST", headers: HEADERS, body },
      {
        // Called again only if undici retries before anything was written; a failure already settled aborts it.
        onRequestStart: (started) => {
          controller = started
          if (failure !== undefined) started.abort(failure)
        },
        onResponseStart: (_controller, statusCode) => {
          status = statusCode
        },
        onResponseData: (_controller, chunk) => {
          size += chunk.length
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk)
        },
        onResponseEnd: () => {
          if (finished) return
          finish()
          resolve(parseAnswer(status, chunks, size))
        },
        onResponseError: (_controller, error) => {
          if (finished) return
          finish()
          reject(new PostFailed("network", notSent(error)))
        },
      },
    )
  })

const requireHere = createRequire(import.meta.url)

/**
 * undici's Agent alone: its index also loads fetch, WebSocket, caches and mocks, which held about 4 MB more of the bot's
 * memory after 100,000 replies. The version is pinned, and the tests fail if the file moves.
 */
const loadAgentClass = (): typeof Agent => requireHere("undici/lib/dispatcher/agent.js") as typeof Agent

/**
 * POSTs JSON over undici's keep-alive pools and reads the JSON answer, all under one deadline. Redirects are not
 * followed (a 3xx is just a status) and nothing is retried. undici's dispatch API was chosen over node:http for the
 * one request made per reply: no request, response or body streams are built, and the bot's main thread spent about
 * a third less per message (docs/performance.md). undici loads at the first post, so a start does not pay for it.
 */
export const makeJsonPoster = (): JsonPoster => {
  let agent: Agent | undefined
  let unavailable = false
  let closed = false
  const agentOrUndefined = () => {
    if (agent !== undefined || unavailable) return agent
    try {
      agent = new (loadAgentClass())({ keepAliveTimeout: FREE_SOCKET_TIMEOUT_MS })
    } catch {
      unavailable = true
    }
    return agent
  }

  const post = (url: URL, body: string, timeoutMs: number, signal: AbortSignal): Promise<JsonAnswer> => {
    const ready = closed ? undefined : agentOrUndefined()
    // Closed, or undici could not be loaded: certainly not sent, so the caller falls back to the Open API.
    if (ready === undefined) return Promise.reject(new PostFailed("network", true))
    return exchange(ready, url, body, timeoutMs, signal)
  }

  return {
    post,
    close: () => {
      closed = true
      void agent?.destroy().catch(() => {})
    },
  }
}
