import type { Socket } from "node:net"
import { DWClient, type DWClientDownStream, TOPIC_ROBOT } from "dingtalk-stream"
import WebSocket from "ws"
import { GatewayOpenError } from "./GatewayOpenError.js"

export interface StreamClientHooks {
  /** Any frame arrived (pings included): the connection is alive. */
  readonly onFrame: () => void
  /** A CALLBACK on the robot topic, not yet ACKed: `ack` sends the ACK (once; a no-op on a closed socket). */
  readonly onCallback: (frameMessageId: string, data: string, ack: () => void) => void
  readonly onServerDisconnect: (reason: string) => void
  readonly onClosed: () => void
  readonly onBadFrame: (why: string) => void
  readonly onAck: () => void
}

export interface StreamClientOptions {
  readonly clientId: string
  readonly clientSecret: string
  readonly apiBase: string
  readonly gatewayTimeoutMs: number
  readonly userAgent: string
}

const parseReason = (data: unknown): string => {
  try {
    const reason = (JSON.parse(String(data)) as { reason?: unknown }).reason
    return typeof reason === "string" ? reason : "unknown"
  } catch {
    return "unknown"
  }
}

/**
 * One connection's worth of the official client, with its defects removed: no auto-reconnect, no keepAlive interval,
 * a configurable gateway with a timeout, no console output, no throw out of frame handling, and every callback
 * ACKed exactly once: robot callbacks when the hook says so, anything else at once. Never reused: the supervisor
 * builds a fresh one per connection.
 */
export class StreamClient extends DWClient {
  private closedReported = false
  private acksCorked = false
  private readonly aborter = new AbortController()

  constructor(
    private readonly options: StreamClientOptions,
    private readonly hooks: StreamClientHooks,
  ) {
    super({ clientId: options.clientId, clientSecret: options.clientSecret, keepAlive: false, debug: false })
    this.config.autoReconnect = false
    this.config.subscriptions = [{ type: "CALLBACK", topic: TOPIC_ROBOT }]
  }

  private get rawSocket(): WebSocket | undefined {
    return (this as unknown as { socket?: WebSocket }).socket
  }

  override async getEndpoint(): Promise<this> {
    let response: Response
    try {
      response = await fetch(new URL("/v1.0/gateway/connections/open", this.options.apiBase), {
        method: "POST",
        signal: AbortSignal.any([this.aborter.signal, AbortSignal.timeout(this.options.gatewayTimeoutMs)]),
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({
          clientId: this.options.clientId,
          clientSecret: this.options.clientSecret,
          ua: this.options.userAgent,
          subscriptions: this.config.subscriptions,
        }),
      })
    } catch (cause) {
      const timedOut = cause instanceof Error && cause.name === "TimeoutError"
      throw new GatewayOpenError(undefined, undefined, timedOut ? "gateway timed out" : "gateway unreachable")
    }
    const body = (await response.json().catch(() => ({}))) as {
      endpoint?: unknown
      ticket?: unknown
      code?: unknown
    }
    const code = typeof body.code === "string" ? body.code : undefined
    if (!response.ok || typeof body.endpoint !== "string" || typeof body.ticket !== "string")
      throw new GatewayOpenError(
        response.status,
        code,
        response.status === 401
          ? "gateway rejected the app credentials (HTTP 401)"
          : `gateway answered HTTP ${response.status}${code ? ` ${code}` : ""}`,
      )
    ;(this as unknown as { dw_url: string }).dw_url =
      `${body.endpoint}?ticket=${encodeURIComponent(body.ticket)}`
    return this
  }

  override _connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const url = (this as unknown as { dw_url?: string }).dw_url
      if (url === undefined || this.aborter.signal.aborted) {
        reject(new Error(url === undefined ? "no endpoint" : "connection attempt cancelled"))
        return
      }
      const socket = new WebSocket(url, { handshakeTimeout: this.options.gatewayTimeoutMs })
      ;(this as unknown as { socket: WebSocket }).socket = socket
      socket.on("open", () => {
        this.connected = true
        resolve()
      })
      socket.on("message", (data) => this.onDownStream(data.toString()))
      socket.on("close", () => {
        this.connected = false
        this.reportClosed()
      })
      socket.on("error", (error) => {
        socket.terminate()
        reject(error)
      })
    })
  }

  private reportClosed(): void {
    if (this.closedReported) return
    this.closedReported = true
    this.hooks.onClosed()
  }

  override onDownStream(data: string): void {
    this.hooks.onFrame()
    let frame: DWClientDownStream
    try {
      frame = JSON.parse(data) as DWClientDownStream
    } catch {
      this.hooks.onBadFrame("a frame that is not JSON")
      return
    }
    if (typeof frame !== "object" || frame === null || typeof frame.headers?.topic !== "string") {
      this.hooks.onBadFrame("a frame without headers.topic")
      return
    }
    try {
      if (frame.type === "SYSTEM") this.onSystem(frame)
      else if (frame.type === "CALLBACK") this.onCallback(frame)
      else if (frame.type === "EVENT") this.onEvent(frame)
    } catch {
      this.hooks.onBadFrame(`a ${String(frame.type)} frame that could not be handled`)
    }
  }

  override onSystem(frame: DWClientDownStream): void {
    if (frame.headers.topic === "ping") super.onSystem(frame)
    else if (frame.headers.topic === "disconnect") this.hooks.onServerDisconnect(parseReason(frame.data))
  }

  override onEvent(frame: DWClientDownStream): void {
    if (typeof frame.headers.messageId === "string" && frame.headers.messageId !== "")
      this.send(frame.headers.messageId, { status: "SUCCESS" })
  }

  override onCallback(frame: DWClientDownStream): void {
    const messageId = frame.headers.messageId
    if (typeof messageId !== "string" || messageId === "") {
      this.hooks.onBadFrame("a CALLBACK without headers.messageId")
      return
    }
    let acked = false
    const ack = () => {
      if (acked) return
      acked = true
      const socket = this.rawSocket
      if (socket !== undefined && socket.readyState !== WebSocket.OPEN) return
      try {
        this.corkUntilNextTick()
        this.send(messageId, { response: null })
        this.hooks.onAck()
      } catch {
        // The socket closed meanwhile: DingTalk redelivers what was not ACKed.
      }
    }
    if (frame.headers.topic !== TOPIC_ROBOT) {
      ack()
      return
    }
    if (typeof frame.data !== "string") {
      ack()
      this.hooks.onBadFrame("a CALLBACK whose data is not a string")
      return
    }
    this.hooks.onCallback(messageId, frame.data, ack)
  }

  /**
   * Holds the TCP socket's writes until the current tick ends, so the ACKs for every callback of one socket read leave
   * in one write instead of one syscall each.
   */
  private corkUntilNextTick(): void {
    const tcp = (this.rawSocket as unknown as { _socket?: Socket } | undefined)?._socket
    if (tcp === undefined || this.acksCorked) return
    this.acksCorked = true
    tcp.cork()
    process.nextTick(() => {
      this.acksCorked = false
      tcp.uncork()
    })
  }

  /** Drops the connection at once: no close handshake, nothing printed. */
  terminate(): void {
    this.aborter.abort()
    this.rawSocket?.terminate()
  }
}
