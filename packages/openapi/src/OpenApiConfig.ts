import { DEFAULT_MAX_FILE_BYTES, type RateWindow, type TokenStoreError } from "@openpollen/core"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"

/**
 * Runs `effect` while no other process refreshes the same `key` (e.g. a Redis lock), so several bot instances
 * sharing a TokenStore fetch one token between them.
 */
export type RefreshLock = <A, E, R>(
  key: string,
  effect: Effect.Effect<A, E, R>,
) => Effect.Effect<A, E | TokenStoreError, R>

/** AI card defaults: the standard AI card template, its text variable, and the app-wide card call rate. */
export const CARD_DEFAULTS = {
  templateId: "382e4302-551d-4880-bf29-a30acfab2e71.schema",
  contentKey: "content",
  qps: 20,
} as const

export interface CardConfig {
  readonly templateId: string
  /** The template's streamed text variable. */
  readonly contentKey: string
  /** Card API calls per second for the whole app (create and streaming together). */
  readonly qps: number
}

export interface OpenApiConfig {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  /** Internal-app robots use the clientId; an empty value falls back to it too. */
  readonly robotCode?: string
  /** Default OPENAPI_DEFAULTS.apiBase. */
  readonly apiBase?: string
  /** The legacy API's origin, where media are uploaded. Default OPENAPI_DEFAULTS.oapiBase. */
  readonly oapiBase?: string
  /** Per-request timeout. Default 10 s. */
  readonly requestTimeoutMs?: number
  /** Calls per second the app may make; DingTalk's standard tier allows about 20. Default 20. */
  readonly qps?: number
  /** Refresh access tokens this long before they expire. Default 5 min. */
  readonly tokenRefreshMarginMs?: number
  /** The first wait before a transient failure (throttled, 5xx, network) is retried; it doubles, jittered. Default 1 s. */
  readonly retryBaseMs?: number
  /** Taken around each token fetch, which re-reads the TokenStore first. Default: none (one process). */
  readonly refreshLock?: RefreshLock
  readonly download?: {
    /** Fails "timeout" when the body sends no bytes for this long (headers must come within requestTimeoutMs). Default 60 s. */
    readonly timeoutMs?: number
    /** Largest file accepted. Default 20 MiB. */
    readonly maxBytes?: number
    /** The whole body must arrive within this long. Default 120 s. */
    readonly totalTimeoutMs?: number
    /** A body slower than this, averaged over 10 s, is aborted. Default 16 KiB/s. */
    readonly minBytesPerSecond?: number
    /** Let download URLs lead to private, loopback and link-local addresses. Default false. */
    readonly allowPrivateHosts?: boolean
  }
  /** AI cards; defaults in CARD_DEFAULTS. */
  readonly card?: Partial<CardConfig>
  /**
   * Shared by every instance of the app (e.g. on Redis): their card calls together stay under `card.qps`. Default:
   * none (each process keeps its own `card.qps`).
   */
  readonly cardRateWindow?: RateWindow["Service"]
}

/** Where DingTalk's Open API lives (it also hosts the Stream gateway); the bot's config reads it from here. */
export const OPENAPI_DEFAULTS = {
  apiBase: "https://api.dingtalk.com",
  oapiBase: "https://oapi.dingtalk.com",
} as const

/** Download defaults; the bot's config reads them from here. */
export const DOWNLOAD_DEFAULTS = {
  timeoutMs: 60_000,
  maxBytes: DEFAULT_MAX_FILE_BYTES,
  totalTimeoutMs: 120_000,
  minBytesPerSecond: 16 * 1024,
  rateWindowMs: 10_000,
} as const

export interface ResolvedOpenApiConfig {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly robotCode: string
  readonly apiBase: string
  readonly oapiBase: string
  readonly requestTimeoutMs: number
  readonly qps: number
  readonly tokenRefreshMarginMs: number
  readonly retryBaseMs: number
  readonly downloadTimeoutMs: number
  readonly downloadMaxBytes: number
  readonly downloadTotalTimeoutMs: number
  readonly downloadMinBytesPerSecond: number
  readonly downloadAllowPrivateHosts: boolean
  readonly card: CardConfig
  readonly refreshLock?: RefreshLock
  readonly cardRateWindow?: RateWindow["Service"]
}

export const resolveOpenApiConfig = (config: OpenApiConfig): ResolvedOpenApiConfig => ({
  clientId: config.clientId,
  clientSecret: config.clientSecret,
  robotCode: config.robotCode !== undefined && config.robotCode !== "" ? config.robotCode : config.clientId,
  apiBase: config.apiBase ?? OPENAPI_DEFAULTS.apiBase,
  oapiBase: config.oapiBase ?? OPENAPI_DEFAULTS.oapiBase,
  requestTimeoutMs: config.requestTimeoutMs ?? 10_000,
  qps: Math.max(1, config.qps ?? 20),
  tokenRefreshMarginMs: config.tokenRefreshMarginMs ?? 300_000,
  retryBaseMs: Math.max(1, config.retryBaseMs ?? 1_000),
  downloadTimeoutMs: config.download?.timeoutMs ?? DOWNLOAD_DEFAULTS.timeoutMs,
  downloadMaxBytes: config.download?.maxBytes ?? DOWNLOAD_DEFAULTS.maxBytes,
  downloadTotalTimeoutMs: config.download?.totalTimeoutMs ?? DOWNLOAD_DEFAULTS.totalTimeoutMs,
  downloadMinBytesPerSecond: config.download?.minBytesPerSecond ?? DOWNLOAD_DEFAULTS.minBytesPerSecond,
  downloadAllowPrivateHosts: config.download?.allowPrivateHosts ?? false,
  card: {
    templateId: config.card?.templateId ?? CARD_DEFAULTS.templateId,
    contentKey: config.card?.contentKey ?? CARD_DEFAULTS.contentKey,
    qps: Math.max(1, config.card?.qps ?? CARD_DEFAULTS.qps),
  },
  ...(config.refreshLock === undefined ? {} : { refreshLock: config.refreshLock }),
  ...(config.cardRateWindow === undefined ? {} : { cardRateWindow: config.cardRateWindow }),
})
