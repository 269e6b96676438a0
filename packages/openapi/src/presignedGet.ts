import type { Agent, IncomingMessage } from "node:http"
import { request as httpRequest } from "node:http"
import { request as httpsRequest } from "node:https"
import { Cause, Effect, type Pull, Stream } from "effect"

export interface PresignedAgents {
  readonly http: Agent
  readonly https: Agent
}

const MAX_REDIRECTS = 5
const REDIRECTS = new Set([301, 302, 303, 307, 308])

export class PresignedGetError extends Error {
  constructor(readonly kind: "network" | "redirects") {
    super(kind === "network" ? "download unreachable" : "download redirected too often")
  }
}

const requestOnce = (url: URL, agents: PresignedAgents, idleMs: number, signal: AbortSignal) =>
  new Promise<IncomingMessage>((resolve, reject) => {
    const secure = url.protocol === "https:"
    if (!secure && url.protocol !== "http:") return reject(new PresignedGetError("network"))
    // A plain GET: any extra header (Content-Type, Authorization) breaks the URL's signature.
    const request = (secure ? httpsRequest : httpRequest)(url, {
      method: "GET",
      agent: secure ? agents.https : agents.http,
      signal,
    })
    // Also ends a response nobody reads: an unread body would otherwise hold its socket open.
    request.setTimeout(idleMs, () => request.destroy(new PresignedGetError("network")))
    request.once("response", (response) => {
      // Failures show as an early `close`; an `error` with no listener would crash the process.
      response.on("error", () => undefined)
      resolve(response)
    })
    request.on("error", () => reject(new PresignedGetError("network")))
    request.end()
  })

/** GETs a pre-signed URL with no header of its own, following a few redirects; the promise settles at the headers. */
export const presignedGet = async (
  url: string,
  agents: PresignedAgents,
  idleMs: number,
  signal: AbortSignal,
): Promise<IncomingMessage> => {
  let target = new URL(url)
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const response = await requestOnce(target, agents, idleMs, signal)
    const location = response.headers.location
    if (!REDIRECTS.has(response.statusCode ?? 0) || location === undefined) return response
    response.destroy()
    target = new URL(location, target)
  }
  throw new PresignedGetError("redirects")
}

/**
 * The response body one `data` chunk per pull. Never `read()` a body: it joins buffered chunks into a new buffer, and
 * each chunk it joins is garbage that only a GC frees. The body pauses between pulls, so the socket is read no faster
 * than the consumer writes.
 */
export const responseChunks = <E>(
  response: IncomingMessage,
  onError: () => E,
): Stream.Stream<Uint8Array, E> => {
  const pull: Pull.Pull<readonly [Uint8Array], E> = Effect.callback((resume) => {
    if (response.readableEnded) return resume(Cause.done())
    if (response.destroyed) return resume(Effect.fail(onError()))
    const onData = (chunk: Buffer) => {
      response.pause()
      detach()
      resume(Effect.succeed([chunk] as const))
    }
    const onEnd = () => {
      detach()
      resume(Cause.done())
    }
    const onClose = () => {
      detach()
      resume(response.readableEnded ? Cause.done() : Effect.fail(onError()))
    }
    const detach = () => {
      response.off("data", onData).off("end", onEnd).off("close", onClose).off("error", onClose)
    }
    response.on("data", onData).once("end", onEnd).once("close", onClose).once("error", onClose)
    response.resume()
    return Effect.sync(detach)
  })
  return Stream.fromPull(Effect.succeed(pull)).pipe(Stream.ensuring(Effect.sync(() => response.destroy())))
}
