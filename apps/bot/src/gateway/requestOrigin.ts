import type { IncomingMessage } from "node:http"

const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"]

/** The `Host` values a loopback gateway answers to: its own address and the loopback names, on its port only. */
export const loopbackHosts = (boundHost: string, port: number): ReadonlySet<string> => {
  const bound = boundHost.includes(":") ? `[${boundHost}]` : boundHost
  return new Set([bound, ...LOOPBACK_NAMES].map((name) => `${name}:${port}`))
}

export interface OriginPolicy {
  /** undefined: any Host (a non-loopback gateway behind its API key); otherwise the exact `host:port` values. */
  readonly hosts: ReadonlySet<string> | undefined
  /** Origins besides the gateway's own that may call it (the sandbox page). */
  readonly origins: ReadonlySet<string>
}

/**
 * Refuses what a web page could send: a `Host` that is not the gateway (DNS rebinding) and an `Origin` of another
 * site. Requests without an `Origin` (curl, the CLI) pass.
 */
export const refuseForeign = (
  request: IncomingMessage,
  policy: OriginPolicy,
): { readonly status: number; readonly error: string } | undefined => {
  const host = (request.headers.host ?? "").toLowerCase()
  if (policy.hosts !== undefined && !policy.hosts.has(host))
    return {
      status: 421,
      error: "this gateway answers only to its own loopback address (Host header refused)",
    }
  const origin = request.headers.origin
  if (origin === undefined) return undefined
  if (origin.toLowerCase() === `http://${host}` || policy.origins.has(origin.toLowerCase())) return undefined
  return { status: 403, error: "cross-origin requests are refused" }
}

/** Whether a request body is declared as JSON: the only kind a page cannot send without a CORS preflight. */
export const isJsonRequest = (request: IncomingMessage): boolean =>
  (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() === "application/json"
