import type { WebSocket } from "ws"
import type { ConnectionFault, SimConnection } from "./SimulatorApi.js"

/** What `connections/open` granted: one WebSocket upgrade, before expiresAt. */
export interface Ticket {
  readonly clientId: string
  readonly subscriptions: ReadonlyArray<{ readonly type: string; readonly topic: string }>
  readonly expiresAt: number
}

/** One open Stream connection and the gateway's state about it. */
export interface GatewayConnection extends SimConnection {
  readonly socket: WebSocket
  /** Outstanding pings: frame messageId to the opaque value the client must echo. */
  readonly pings: Map<string, string>
  pingTimer?: NodeJS.Timeout
  closeTimer?: NodeJS.Timeout
  disconnecting: boolean
  fault: ConnectionFault
}
