import { Redacted } from "effect"
import type { ResolvedConfig } from "../config/ResolvedConfig.js"

/** Calls the running bot's gateway API; undefined when nothing answers there. */
export const callGateway = async (
  config: ResolvedConfig,
  path: string,
  body?: unknown,
  timeoutMs = 2_000,
): Promise<{ status: number; body: unknown } | undefined> => {
  const host =
    config.gateway.host === "0.0.0.0" || config.gateway.host === "::" ? "127.0.0.1" : config.gateway.host
  try {
    const response = await fetch(
      `http://${host.includes(":") ? `[${host}]` : host}:${config.gateway.port}${path}`,
      {
        method: body === undefined ? "GET" : "POST",
        headers: {
          "content-type": "application/json",
          ...(config.gateway.apiKey === undefined
            ? {}
            : { authorization: `Bearer ${Redacted.value(config.gateway.apiKey)}` }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      },
    )
    return { status: response.status, body: await response.json().catch(() => undefined) }
  } catch {
    return undefined
  }
}
