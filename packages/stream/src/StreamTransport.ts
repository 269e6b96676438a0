import {
  type ConnectionState,
  type InboundFrame,
  InboundJournal,
  IntakeGate,
  Transport,
} from "@openpollen/core"
import type * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { STREAM_DEFAULTS } from "./defaults.js"
import { openConnection, type SocketGauge } from "./openConnection.js"
import type { Inbox } from "./receiveFrame.js"
import { emptyCounters, StreamDiagnostics } from "./StreamDiagnostics.js"
import { superviseConnection } from "./superviseConnection.js"

export interface StreamTransportConfig {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  /** Where `connections/open` lives: the Open API origin (the bot passes its configured apiBase). */
  readonly apiBase: string
  /** Replace a connection that sent no frame (pings included) for this long. Default 90 s. */
  readonly idleTimeoutMs?: number
  /** Send a WebSocket ping this often and replace the connection when no answer came by the next one. 0: off. */
  readonly keepAliveMs?: number
  /** Deadline for a whole connect attempt. Default 15 s. */
  readonly connectTimeoutMs?: number
  /** Timeout of the gateway POST and the WebSocket handshake. Default 10 s. */
  readonly gatewayTimeoutMs?: number
  /** A larger frame replaces the connection instead of being buffered. Default 2 MiB. */
  readonly maxFrameBytes?: number
  readonly backoff?: { readonly baseMs?: number; readonly capMs?: number; readonly healthyAfterMs?: number }
}

/**
 * A Transport over DingTalk Stream mode: building the layer starts the supervisor in the layer's scope, closing the
 * scope (or `stop`) ends it and every socket and timer with it. With an InboundJournal in the context, each robot
 * callback is ACKed only once the journal has recorded it.
 */
export const makeStreamTransport = (config: StreamTransportConfig) =>
  Effect.gen(function* () {
    const journal = yield* Effect.serviceOption(InboundJournal)
    const gate = yield* Effect.serviceOption(IntakeGate)
    const run = yield* FiberSet.makeRuntime<never, void, never>()
    const frames = yield* Queue.unbounded<InboundFrame, Cause.Done>()
    const changes = yield* PubSub.unbounded<ConnectionState>({ replay: 1 })
    const counters = emptyCounters()
    const gauge: SocketGauge = { open: 0 }
    let state: ConnectionState = { _tag: "Idle" }
    const setState = (next: ConnectionState) => {
      state = next
      PubSub.publishUnsafe(changes, next)
    }
    setState(state)
    const inbox: Inbox = { frames, journal, gate, counters, run: (effect) => void run(effect) }
    const options = {
      apiBase: config.apiBase,
      clientId: config.clientId,
      clientSecret: Redacted.value(config.clientSecret),
      userAgent: "openpollen-dingtalk/0.1",
      timeoutMs: config.gatewayTimeoutMs ?? STREAM_DEFAULTS.gatewayTimeoutMs,
      idleTimeoutMs: config.idleTimeoutMs ?? STREAM_DEFAULTS.idleTimeoutMs,
      keepAliveMs: config.keepAliveMs ?? STREAM_DEFAULTS.keepAliveMs,
      maxFrameBytes: config.maxFrameBytes ?? STREAM_DEFAULTS.maxFrameBytes,
    }
    const supervisor = yield* superviseConnection({
      connect: Effect.suspend(() => openConnection(options, inbox, gauge)),
      connectTimeoutMs: config.connectTimeoutMs ?? STREAM_DEFAULTS.connectTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs,
      keepAliveMs: options.keepAliveMs,
      backoff: { ...STREAM_DEFAULTS.backoff, ...config.backoff },
      counters,
      setState,
    }).pipe(Effect.ensuring(Effect.sync(() => setState({ _tag: "Stopped" }))), Effect.forkScoped)
    const currentState = Effect.sync(
      (): ConnectionState =>
        state._tag === "Connected"
          ? { ...state, lastFrameAt: counters.lastFrameAt ?? state.lastFrameAt }
          : state,
    )
    const transport = Transport.of({
      frames: Stream.fromQueue(frames),
      state: currentState,
      stateChanges: Stream.fromPubSub(changes),
      stop: Fiber.interrupt(supervisor).pipe(Effect.andThen(Queue.end(frames)), Effect.asVoid),
    })
    const diagnostics = StreamDiagnostics.of({
      snapshot: Effect.map(currentState, (current) => ({
        state: current,
        counters: { ...counters },
        openSockets: gauge.open,
      })),
    })
    return { transport, diagnostics }
  })

export const StreamTransport = {
  layer: (config: StreamTransportConfig) =>
    Layer.effectContext(
      Effect.map(makeStreamTransport(config), ({ transport, diagnostics }) =>
        Context.make(Transport, transport).pipe(Context.add(StreamDiagnostics, diagnostics)),
      ),
    ),
}
