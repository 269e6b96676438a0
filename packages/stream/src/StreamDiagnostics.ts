import type { ConnectionState } from "@openpollen/core"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"

export interface StreamCounters {
  connects: number
  connectFailures: number
  serverDisconnects: number
  /** Connections replaced because no frame (server pings included) arrived for `idleTimeoutMs`. */
  watchdogKills: number
  /** Connections replaced because our WebSocket ping got no answer within `keepAliveMs`. */
  keepAliveKills: number
  /** Connections replaced because a frame exceeded `maxFrameBytes`. */
  oversizedFrames: number
  acks: number
  callbacks: number
  badFrames: number
  /** Callbacks left un-ACKed (and unrecorded) because the IntakeGate was shut: DingTalk redelivers them. */
  deferredByBacklog: number
  /** Callbacks that found the IntakeGate shut and were held un-ACKed for room (admitted later, or then deferred). */
  heldByBacklog: number
  lastFrameAt?: number
  lastError?: string
}

export const emptyCounters = (): StreamCounters => ({
  connects: 0,
  connectFailures: 0,
  serverDisconnects: 0,
  watchdogKills: 0,
  keepAliveKills: 0,
  oversizedFrames: 0,
  acks: 0,
  callbacks: 0,
  badFrames: 0,
  deferredByBacklog: 0,
  heldByBacklog: 0,
})

export interface StreamDiagnosticsSnapshot {
  readonly state: ConnectionState
  readonly counters: Readonly<StreamCounters>
  /** WebSockets created and not yet terminated; 0 once the transport stopped. */
  readonly openSockets: number
}

/** The Stream connection's state and counters, for health checks and `channel list`. */
export class StreamDiagnostics extends Context.Service<
  StreamDiagnostics,
  { readonly snapshot: Effect.Effect<StreamDiagnosticsSnapshot> }
>()("@openpollen/stream/StreamDiagnostics") {}
