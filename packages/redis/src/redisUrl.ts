export interface RedisEndpoint {
  /** `host:port`, safe to log. */
  readonly where: string
  /** The URL with its password replaced by `***`, safe to log. */
  readonly masked: string
}

/** Parses a `redis://` or `rediss://` URL; `undefined` when it is not one. Never echoes the input. */
export const parseRedisUrl = (url: string): RedisEndpoint | undefined => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  if ((parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") || parsed.hostname === "")
    return undefined
  const where = `${parsed.hostname}:${parsed.port === "" ? "6379" : parsed.port}`
  if (parsed.password !== "") parsed.password = "***"
  // A lone userinfo part may be a password written without the leading ":".
  else if (parsed.username !== "") parsed.username = "***"
  return { where, masked: parsed.href }
}

/** The URL with its password masked, for logs and messages; `<invalid redis url>` when it does not parse. */
export const maskRedisUrl = (url: string): string => parseRedisUrl(url)?.masked ?? "<invalid redis url>"
