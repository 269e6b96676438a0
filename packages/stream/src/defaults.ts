/** The transport's defaults, importable without loading the SDK (config schemas read them). */
export const STREAM_DEFAULTS = {
  idleTimeoutMs: 90_000,
  keepAliveMs: 15_000,
  connectTimeoutMs: 15_000,
  gatewayTimeoutMs: 10_000,
  maxFrameBytes: 2 * 1024 * 1024,
  backoff: { baseMs: 1_000, capMs: 60_000, healthyAfterMs: 30_000 },
} as const

/** Below this, the idle watchdog replaces connections that are merely quiet (DingTalk's ping cadence is unknown). */
export const MIN_IDLE_TIMEOUT_MS = 10_000
/** Below this, keep-alive pings are noise rather than a liveness check. */
export const MIN_KEEP_ALIVE_MS = 1_000
