import type { IncomingMessage } from "node:http"
import type { Duplex } from "node:stream"
import { type WebSocket, WebSocketServer } from "ws"
import type { CounterState } from "./Counters.js"
import type { Directory } from "./Directory.js"
import { dropOldest } from "./dropOldest.js"
import { type Faults, sleep } from "./Faults.js"
import type { GatewayConnection as Connection, Ticket } from "./GatewayConnection.js"
import { ids } from "./ids.js"
import { newPendingCallback, type PendingCallback as Pending } from "./PendingCallback.js"
import type { ConnectionFault } from "./SimulatorApi.js"
import { ROBOT_TOPIC, streamFrame } from "./streamFrame.js"

export interface GatewayOptions {
  readonly pingIntervalMs: number
  readonly redeliveryTimeoutMs: number
  readonly maxRedeliveries: number
  readonly reuseMessageIdOnRedelivery: boolean
  readonly disconnectGraceMs: number
  readonly ticketTtlMs: number
  readonly newConnectionKicksOld: boolean
}

/** The Stream side of DingTalk: tickets, WebSocket connections, pushes, ACKs, redelivery, pings and rotation. */
export class StreamGateway {
  private readonly tickets = new Map<string, Ticket>()
  private readonly connections = new Map<string, Connection>()
  private readonly pending = new Map<string, Pending>()
  private readonly undelivered: Array<Pending> = []
  private readonly waiters = new Set<() => void>()
  private readonly upgrading = new Set<Duplex>()
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 })
  private readonly port: () => number

  constructor(
    private readonly options: GatewayOptions,
    private readonly directory: Directory,
    private readonly counters: CounterState,
    private readonly faults: Faults,
    port: () => number,
  ) {
    this.port = port
  }

  issueTicket(
    clientId: string,
    subscriptions: Ticket["subscriptions"],
  ): { endpoint: string; ticket: string } {
    const ticket = ids.uuid()
    this.tickets.set(ticket, { clientId, subscriptions, expiresAt: Date.now() + this.options.ticketTtlMs })
    return { endpoint: `ws://127.0.0.1:${this.port()}/connect`, ticket }
  }

  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (status: number, reason: string) => {
      this.counters.upgradesRejected += 1
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    const url = new URL(request.url ?? "/", "http://127.0.0.1")
    if (url.pathname !== "/connect") return refuse(404, "Not Found")
    this.upgrading.add(socket)
    socket.once("close", () => this.upgrading.delete(socket))
    const fault = this.faults.take("upgrade")
    if (fault?.latencyMs) await sleep(fault.latencyMs)
    if (fault?.hang) return
    if (fault?.status) return refuse(fault.status, "Refused")
    const raw = url.searchParams.get("ticket") ?? ""
    const ticketId = raw.includes("%") ? decodeURIComponent(raw) : raw
    const ticket = this.tickets.get(ticketId)
    this.tickets.delete(ticketId)
    if (ticket === undefined || ticket.expiresAt < Date.now()) return refuse(401, "Unauthorized")
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      this.accept(ws, ticket)
      if (fault?.dropAfterOpen) ws.terminate()
    })
  }

  private accept(socket: WebSocket, ticket: Ticket): void {
    const connection: Connection = {
      id: ids.uuid(),
      clientId: ticket.clientId,
      openedAt: Date.now(),
      subscriptions: ticket.subscriptions,
      socket,
      pings: new Map(),
      disconnecting: false,
      fault: {},
    }
    if (this.options.newConnectionKicksOld)
      for (const old of this.live(ticket.clientId)) old.socket.close(1000, "replaced by a newer connection")
    this.connections.set(connection.id, connection)
    this.counters.connectionsOpened += 1
    socket.on("message", (raw) => this.onClientFrame(connection, raw.toString()))
    socket.on("close", () => this.forget(connection))
    socket.on("error", () => this.forget(connection))
    if (this.options.pingIntervalMs > 0)
      connection.pingTimer = setInterval(() => this.ping(connection), this.options.pingIntervalMs)
    for (const waiter of [...this.waiters]) waiter()
    const queued = this.undelivered.splice(0).filter((item) => !item.done)
    for (const item of queued) this.push(item)
  }

  private forget(connection: Connection): void {
    clearInterval(connection.pingTimer)
    clearTimeout(connection.closeTimer)
    this.connections.delete(connection.id)
  }

  private ping(connection: Connection): void {
    if (connection.fault.silent || connection.socket.readyState !== connection.socket.OPEN) return
    const messageId = ids.frameMessageId()
    const opaque = ids.uuid()
    connection.pings.set(messageId, opaque)
    if (connection.pings.size > 16) connection.pings.delete(connection.pings.keys().next().value ?? "")
    this.counters.pingsSent += 1
    connection.socket.send(streamFrame("SYSTEM", "ping", messageId, JSON.stringify({ opaque })))
  }

  private onClientFrame(connection: Connection, raw: string): void {
    let message: { headers?: { messageId?: unknown }; data?: unknown }
    try {
      message = JSON.parse(raw) as typeof message
    } catch {
      return
    }
    const messageId = message.headers?.messageId
    if (typeof messageId !== "string") return
    const opaque = connection.pings.get(messageId)
    if (opaque !== undefined) {
      connection.pings.delete(messageId)
      const echoed = typeof message.data === "string" && message.data.includes(opaque)
      if (echoed) this.counters.pingEchoes += 1
      else this.counters.badPingEchoes += 1
      return
    }
    const pending = this.pending.get(messageId)
    if (pending === undefined || connection.fault.dropAcks) return
    this.pending.delete(messageId)
    if (pending.done) return
    pending.done = true
    clearTimeout(pending.timer)
    this.counters.acks += 1
    this.counters.ackLatenciesMs.push(Date.now() - pending.firstPushedAt)
    dropOldest(this.counters.ackLatenciesMs, 200_000)
    pending.markAcked()
  }

  live(clientId?: string): Array<Connection> {
    return [...this.connections.values()].filter(
      (connection) =>
        (clientId === undefined || connection.clientId === clientId) &&
        connection.socket.readyState === connection.socket.OPEN,
    )
  }

  private routable(clientId: string): Array<Connection> {
    return this.live(clientId).filter(
      (connection) =>
        !connection.disconnecting &&
        connection.subscriptions.some((subscription) => subscription.topic === ROBOT_TOPIC),
    )
  }

  /** Pushes a robot callback to one random live connection of the app; redelivers it until ACKed. */
  deliver(clientId: string, msgId: string, data: string): Promise<void> {
    const pending = newPendingCallback(clientId, msgId, data)
    this.push(pending)
    return pending.acked
  }

  private push(pending: Pending): void {
    const targets = this.routable(pending.clientId)
    const target = targets[Math.floor(Math.random() * targets.length)]
    if (target === undefined) {
      this.undelivered.push(pending)
      return
    }
    if (pending.attempts > 0) {
      this.counters.redeliveries += 1
      if (!this.options.reuseMessageIdOnRedelivery) pending.frameMessageId = ids.frameMessageId()
    } else {
      this.counters.callbacksPushed += 1
    }
    pending.attempts += 1
    this.pending.set(pending.frameMessageId, pending)
    const app = this.directory.app(pending.clientId)
    if (!target.fault.silent)
      target.socket.send(
        streamFrame("CALLBACK", ROBOT_TOPIC, pending.frameMessageId, pending.data, {
          appId: app.clientId,
          connectionId: target.id,
        }),
      )
    pending.timer = setTimeout(() => {
      if (pending.done) return
      this.pending.delete(pending.frameMessageId)
      if (pending.attempts > this.options.maxRedeliveries) return
      this.push(pending)
    }, this.options.redeliveryTimeoutMs)
  }

  pushRaw(raw: string, connectionId?: string): void {
    const target = connectionId === undefined ? this.live()[0] : this.connections.get(connectionId)
    target?.socket.send(raw)
  }

  disconnect(connectionId?: string, reason = "connection is expired"): void {
    for (const connection of this.select(connectionId)) {
      if (connection.disconnecting) continue
      connection.disconnecting = true
      connection.socket.send(
        streamFrame("SYSTEM", "disconnect", ids.frameMessageId(), JSON.stringify({ reason })),
      )
      connection.closeTimer = setTimeout(
        () => connection.socket.close(1000, reason),
        this.options.disconnectGraceMs,
      )
    }
  }

  kill(connectionId?: string): void {
    for (const connection of this.select(connectionId)) connection.socket.terminate()
  }

  setFault(connectionId: string, fault: ConnectionFault): void {
    const connection = this.connections.get(connectionId)
    if (connection === undefined) return
    connection.fault = { ...connection.fault, ...fault }
    if (fault.unresponsive) {
      connection.fault = { ...connection.fault, silent: true }
      connection.socket.pause()
    }
  }

  private select(connectionId?: string): Array<Connection> {
    if (connectionId === undefined) return this.live()
    const connection = this.connections.get(connectionId)
    return connection === undefined ? [] : [connection]
  }

  waitForConnections(count: number, clientId: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.routable(clientId).length < count) return
        this.waiters.delete(check)
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => {
        this.waiters.delete(check)
        reject(
          new Error(
            `expected ${count} live connection(s) within ${timeoutMs} ms, have ${this.routable(clientId).length}`,
          ),
        )
      }, timeoutMs)
      this.waiters.add(check)
      check()
    })
  }

  close(): void {
    for (const pending of this.pending.values()) clearTimeout(pending.timer)
    this.pending.clear()
    for (const connection of this.connections.values()) {
      clearInterval(connection.pingTimer)
      clearTimeout(connection.closeTimer)
      connection.socket.terminate()
    }
    this.connections.clear()
    for (const socket of this.upgrading) socket.destroy()
    this.upgrading.clear()
    this.wss.close()
  }
}
