import type { ConnectionState } from "@openpollen/core"
import { backoffDelay } from "./backoffDelay.js"
import { GatewayOpenError } from "./GatewayOpenError.js"
import type { StreamClientHooks, StreamClientOptions } from "./StreamClient.js"

export interface ConnectionClient {
  getEndpoint(): Promise<unknown>
  _connect(): Promise<void>
  terminate(): void
}

export interface Timers {
  readonly now: () => number
  readonly setTimeout: (run: () => void, ms: number) => unknown
  readonly clearTimeout: (handle: unknown) => void
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

export interface SupervisorEvent {
  readonly level: "debug" | "info" | "warning" | "error"
  readonly message: string
  readonly fields?: Readonly<Record<string, string | number>>
}

export interface SupervisorOptions extends StreamClientOptions {
  readonly connectTimeoutMs: number
  readonly idleTimeoutMs: number
  readonly backoffBaseMs: number
  readonly backoffCapMs: number
  /** `ack` sends the CALLBACK's ACK; call it once the frame is safe (received, or recorded). */
  readonly onCallback: (frameMessageId: string, data: string, ack: () => void) => void
  readonly onState: (state: ConnectionState) => void
  readonly onEvent: (event: SupervisorEvent) => void
  readonly makeClient: (options: StreamClientOptions, hooks: StreamClientHooks) => ConnectionClient
  readonly timers?: Timers
  readonly random?: () => number
}

export interface StreamCounters {
  connects: number
  connectFailures: number
  serverDisconnects: number
  watchdogKills: number
  acks: number
  callbacks: number
  badFrames: number
  lastFrameAt?: number
  lastError?: string
}

/**
 * Owns the connection's lifecycle: one attempt in flight at most, exponential backoff with jitter, a deadline per
 * attempt, an idle-frame watchdog, and a warm handover on SYSTEM `disconnect` (the new connection is up before the
 * old one is dropped). `stop` leaves no timer, socket or pending reconnect behind.
 */
export class Supervisor {
  readonly counters: StreamCounters = {
    connects: 0,
    connectFailures: 0,
    serverDisconnects: 0,
    watchdogKills: 0,
    acks: 0,
    callbacks: 0,
    badFrames: 0,
  }
  private current: ConnectionClient | undefined
  private connecting: ConnectionClient | undefined
  private retryTimer: unknown
  private idleTimer: unknown
  private attempt = 0
  private stopped = true
  private credentialsReported = false
  /** A SYSTEM disconnect reached a connection that was still completing its handshake. */
  private rotateAfterConnect = false
  private readonly closedClients = new WeakSet<ConnectionClient>()
  private readonly timers: Timers

  constructor(private readonly options: SupervisorOptions) {
    this.timers = options.timers ?? realTimers
  }

  start(): void {
    this.stopped = false
    void this.connect()
  }

  stop(): void {
    this.stopped = true
    this.timers.clearTimeout(this.retryTimer)
    this.timers.clearTimeout(this.idleTimer)
    this.connecting?.terminate()
    this.current?.terminate()
    this.connecting = undefined
    this.current = undefined
    this.options.onState({ _tag: "Stopped" })
  }

  private async connect(): Promise<void> {
    if (this.connecting !== undefined || this.stopped) return
    this.timers.clearTimeout(this.retryTimer)
    this.options.onState({ _tag: "Connecting", attempt: this.attempt, since: this.timers.now() })
    const client: ConnectionClient = this.options.makeClient(
      this.options,
      this.hooksFor(() => client),
    )
    this.connecting = client
    let timedOut = false
    const deadline = this.timers.setTimeout(() => {
      timedOut = true
      client.terminate()
    }, this.options.connectTimeoutMs)
    try {
      await client.getEndpoint()
      if (this.stopped) return
      if (timedOut) throw new Error(`connect attempt exceeded ${this.options.connectTimeoutMs} ms`)
      await client._connect()
      if (this.stopped) {
        client.terminate()
        return
      }
      if (this.closedClients.has(client)) throw new Error("the connection closed during the handshake")
      const previous = this.current
      this.current = client
      this.attempt = 0
      this.credentialsReported = false
      this.counters.connects += 1
      const now = this.timers.now()
      this.counters.lastFrameAt = now
      this.armWatchdog()
      this.options.onState({ _tag: "Connected", since: now, lastFrameAt: now })
      this.options.onEvent({
        level: "info",
        message: "dingtalk stream connected",
        fields: { connects: this.counters.connects },
      })
      previous?.terminate()
      if (this.rotateAfterConnect) {
        this.rotateAfterConnect = false
        this.retryTimer = this.timers.setTimeout(() => void this.connect(), 0)
      }
    } catch (cause) {
      client.terminate()
      this.scheduleRetry(
        timedOut ? new Error(`connect attempt exceeded ${this.options.connectTimeoutMs} ms`) : cause,
      )
    } finally {
      this.timers.clearTimeout(deadline)
      if (this.connecting === client) this.connecting = undefined
    }
  }

  private hooksFor(self: () => ConnectionClient): StreamClientHooks {
    const isCurrent = () => self() === this.current
    const isConnecting = () => self() === this.connecting
    return {
      onFrame: () => {
        if (!isCurrent()) return
        this.counters.lastFrameAt = this.timers.now()
      },
      onCallback: (frameMessageId, data, ack) => {
        this.counters.callbacks += 1
        this.options.onCallback(frameMessageId, data, ack)
      },
      onAck: () => {
        this.counters.acks += 1
      },
      onServerDisconnect: (reason) => {
        if (isConnecting()) this.rotateAfterConnect = true
        if (!isCurrent()) return
        this.counters.serverDisconnects += 1
        this.options.onEvent({ level: "info", message: "dingtalk asked to reconnect", fields: { reason } })
        void this.connect()
      },
      onClosed: () => {
        this.closedClients.add(self())
        if (!isCurrent() || this.stopped) return
        this.current = undefined
        this.timers.clearTimeout(this.idleTimer)
        this.options.onEvent({ level: "warning", message: "dingtalk stream connection closed; reconnecting" })
        void this.connect()
      },
      onBadFrame: (why) => {
        this.counters.badFrames += 1
        this.options.onEvent({ level: "warning", message: "dropped a malformed frame", fields: { why } })
      },
    }
  }

  /** Fires `idleTimeoutMs` after the last frame. Frames only move `lastFrameAt`; the timer re-arms itself lazily. */
  private armWatchdog(delayMs: number = this.options.idleTimeoutMs): void {
    this.timers.clearTimeout(this.idleTimer)
    this.idleTimer = this.timers.setTimeout(() => {
      if (this.current === undefined || this.stopped) return
      const silentMs = this.timers.now() - (this.counters.lastFrameAt ?? 0)
      if (silentMs < this.options.idleTimeoutMs)
        return this.armWatchdog(this.options.idleTimeoutMs - silentMs)
      this.counters.watchdogKills += 1
      this.options.onEvent({
        level: "warning",
        message: "no frame from dingtalk for too long; replacing the connection",
        fields: { idleMs: this.options.idleTimeoutMs },
      })
      this.current.terminate()
    }, delayMs)
  }

  private scheduleRetry(cause: unknown): void {
    this.counters.connectFailures += 1
    if (this.stopped) return
    const badCredentials = cause instanceof GatewayOpenError && cause.badCredentials
    const delay = badCredentials
      ? this.options.backoffCapMs
      : backoffDelay(this.attempt, this.options.backoffBaseMs, this.options.backoffCapMs, this.options.random)
    this.attempt += 1
    const lastError = cause instanceof Error ? cause.message : "connect failed"
    this.counters.lastError = lastError
    if (badCredentials && !this.credentialsReported) {
      this.credentialsReported = true
      this.options.onEvent({
        level: "error",
        message: "DingTalk rejected the app credentials (clientId / clientSecret); retrying slowly",
        fields: { retryInMs: delay },
      })
    } else if (!badCredentials) {
      this.options.onEvent({
        level: "warning",
        message: "dingtalk stream connect failed",
        fields: { error: lastError, retryInMs: delay },
      })
    }
    const retryAt = this.timers.now() + delay
    this.options.onState({ _tag: "BackingOff", attempt: this.attempt, retryAt, lastError })
    this.retryTimer = this.timers.setTimeout(() => void this.connect(), delay)
  }
}
