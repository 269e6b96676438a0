import * as Redacted from "effect/Redacted"
import type { ResolvedConfig } from "../config/ResolvedConfig.js"
import { readRunState } from "../runState/readRunState.js"

/** Where the running bot's gateway is and the secret it takes: the run-state file first, else the config. */
const gatewayTarget = (config: ResolvedConfig): { readonly url: string; readonly secret?: string } => {
  const found = readRunState(config.store.stateDir)
  if (found._tag === "Running") return { url: found.state.gatewayUrl, secret: found.state.token }
  const host =
    config.gateway.host === "0.0.0.0" || config.gateway.host === "::" ? "127.0.0.1" : config.gateway.host
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${config.gateway.port}`,
    ...(config.gateway.apiKey === undefined ? {} : { secret: Redacted.value(config.gateway.apiKey) }),
  }
}

/** Calls the running bot's gateway API; undefined when nothing answers there. */
export const callGateway = async (
  config: ResolvedConfig,
  path: string,
  body?: unknown,
  timeoutMs = 2_000,
): Promise<{ status: number; body: unknown } | undefined> => {
  const target = gatewayTarget(config)
  try {
    const response = await fetch(`${target.url}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: {
        "content-type": "application/json",
        ...(target.secret === undefined ? {} : { authorization: `Bearer ${target.secret}` }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    })
    return { status: response.status, body: await response.json().catch(() => undefined) }
  } catch {
    return undefined
  }
}
