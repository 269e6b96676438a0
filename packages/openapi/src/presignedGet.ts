import { type LookupAddress, type LookupAllOptions, lookup } from "node:dns"
import type { Agent, IncomingMessage } from "node:http"
import { request as httpRequest } from "node:http"
import { request as httpsRequest } from "node:https"
import { isIP, type LookupFunction } from "node:net"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Pull from "effect/Pull"
import * as Stream from "effect/Stream"
import { isPrivateAddress } from "./isPrivateAddress.js"

export interface PresignedAgents {
  readonly http: Agent
  readonly https: Agent
}

/** Where a download may go: https to a public address, or the configured API origin (the simulator in tests). */
export interface DownloadTargetPolicy {
  readonly trustedOrigin: string
  readonly allowPrivateHosts: boolean
}

const MAX_REDIRECTS = 3
const REDIRECTS = new Set([301, 302, 303, 307, 308])

const MESSAGES = {
  network: "download unreachable",
  redirects: "download redirected too often",
  refused: "download URL refused: only https to a public address",
} as const

export class PresignedGetError extends Error {
  constructor(readonly kind: keyof typeof MESSAGES) {
    super(MESSAGES[kind])
  }
}

/** A DNS lookup that fails for private, loopback and link-local answers, checked when the socket connects. */
const publicLookup: LookupFunction = (hostname, options, callback) =>
  lookup(
    hostname,
    { ...options, all: true } as LookupAllOptions,
    (error, addresses: Array<LookupAddress>) => {
      if (error !== null) return callback(error, "", 4)
      if (addresses.length === 0 || addresses.some((entry) => isPrivateAddress(entry.address)))
        return callback(new PresignedGetError("refused") as NodeJS.ErrnoException, "", 4)
      if (options.all === true)
        return (callback as (e: null, all: Array<LookupAddress>) => void)(null, addresses)
      const [first] = addresses
      return callback(null, first?.address ?? "", first?.family ?? 4)
    },
  )

/** undefined when the URL may not be fetched; otherwise the lookup to connect with (none for the trusted origin). */
const checkTarget = (url: URL, policy: DownloadTargetPolicy): { lookup?: LookupFunction } | undefined => {
  if (url.origin === policy.trustedOrigin) return {}
  if (url.protocol !== "https:") return undefined
  if (policy.allowPrivateHosts) return {}
  if (isIP(url.hostname.replace(/^\[|\]$/g, "")) !== 0) return isPrivateAddress(url.hostname) ? undefined : {}
  return { lookup: publicLookup }
}

const requestOnce = (
  url: URL,
  agents: PresignedAgents,
  idleMs: number,
  signal: AbortSignal,
  policy: DownloadTargetPolicy,
) =>
  new Promise<IncomingMessage>((resolve, reject) => {
    const secure = url.protocol === "https:"
    if (!secure && url.protocol !== "http:") return reject(new PresignedGetError("refused"))
    const target = checkTarget(url, policy)
    if (target === undefined) return reject(new PresignedGetError("refused"))
    // A plain GET: any extra header (Content-Type, Authorization) breaks the URL's signature.
    const request = (secure ? httpsRequest : httpRequest)(url, {
      method: "GET",
      agent: secure ? agents.https : agents.http,
      signal,
      ...target,
    })
    // Also ends a response nobody reads: an unread body would otherwise hold its socket open.
    request.setTimeout(idleMs, () => request.destroy(new PresignedGetError("network")))
    request.once("response", (response) => {
      // Failures show as an early `close`; an `error` with no listener would crash the process.
      response.on("error", () => undefined)
      resolve(response)
    })
    request.on("error", (error) =>
      reject(error instanceof PresignedGetError ? error : new PresignedGetError("network")),
    )
    request.end()
  })

/**
 * GETs a pre-signed URL with no header of its own, following up to 3 redirects, each checked against the policy;
 * the promise settles at the headers.
 */
export const presignedGet = async (
  url: string,
  agents: PresignedAgents,
  idleMs: number,
  signal: AbortSignal,
  policy: DownloadTargetPolicy,
): Promise<IncomingMessage> => {
  let target = new URL(url)
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const response = await requestOnce(target, agents, idleMs, signal, policy)
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
