import { type ConnectionState, type InboundFrame, InboundJournal, Transport } from "@openpollen/core"
import { type Cause, Context, Effect, Layer, Option, PubSub, Queue, Redacted, Stream } from "effect"
import { effectTimers } from "./effectTimers.js"
import { StreamClient } from "./StreamClient.js"
import { type StreamCounters, Supervisor, type SupervisorEvent } from "./Supervisor.js"

export interface StreamTransportConfig {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  /** Where `connections/open` lives. Default https://api.dingtalk.com. */
  readonly apiBase?: string
  /** Replace a connection that sent no frame (pings included) for this long. Default 90 s. */
  readonly idleTimeoutMs?: number
  /** Deadline for a whole connect attempt. Default 15 s. */
  readonly connectTimeoutMs?: number
  /** Timeout of the gateway POST and the WebSocket handshake. Default 10 s. */
  readonly gatewayTimeoutMs?: number
  readonly backoff?: { readonly baseMs?: number; readonly capMs?: number }
}

export interface StreamDiagnosticsSnapshot {
  readonly state: ConnectionState
  readonly counters: Readonly<StreamCounters>
  /** Supervisor timers (retry, attempt deadline, watchdog) still scheduled; 0 once stopped. */
  readonly pendingTimers: number
}

/** The Stream connection's state and counters, for health checks and `channel list`. */
export class StreamDiagnostics extends Context.Service<
  StreamDiagnostics,
  { readonly snapshot: Effect.Effect<StreamDiagnosticsSnapshot> }
>()("@openpollen/stream/StreamDiagnostics") {}

const log = (event: SupervisorEvent) => {
  const effect =
    event.level === "error"
      ? Effect.logError(event.message)
      : event.level === "warning"
        ? Effect.logWarning(event.message)
        : event.level === "info"
          ? Effect.logInfo(event.message)
          : Effect.logDebug(event.message)
  return event.fields === undefined ? effect : effect.pipe(Effect.annotateLogs(event.fields))
}

/**
 * A Transport over DingTalk Stream mode: starting the layer connects; closing its scope disconnects. With an
 * InboundJournal in the context, each robot callback is ACKed only once the journal has recorded it.
 */
export const makeStreamTransport = (config: StreamTransportConfig) =>
  Effect.gen(function* () {
    const context = yield* Effect.context<never>()
    const journal = yield* Effect.serviceOption(InboundJournal)
    const run = Effect.runForkWith(context)
    const frames = yield* Queue.unbounded<InboundFrame, Cause.Done>()
    const changes = yield* PubSub.unbounded<ConnectionState>()
    let state: ConnectionState = { _tag: "Idle" }
    const timers = effectTimers(context)
    const supervisor = new Supervisor({
      clientId: config.clientId,
      clientSecret: Redacted.value(config.clientSecret),
      apiBase: config.apiBase ?? "https://api.dingtalk.com",
      gatewayTimeoutMs: config.gatewayTimeoutMs ?? 10_000,
      connectTimeoutMs: config.connectTimeoutMs ?? 15_000,
      idleTimeoutMs: config.idleTimeoutMs ?? 90_000,
      backoffBaseMs: config.backoff?.baseMs ?? 1_000,
      backoffCapMs: config.backoff?.capMs ?? 60_000,
      userAgent: "openpollen-dingtalk/0.1",
      makeClient: (options, hooks) => new StreamClient(options, hooks),
      timers,
      onCallback: (frameMessageId, raw, ack) => {
        let data: unknown
        try {
          data = JSON.parse(raw)
        } catch {
          ack()
          supervisor.counters.badFrames += 1
          run(Effect.logWarning("dropped a callback whose data is not JSON"))
          return
        }
        const frame: InboundFrame = { frameMessageId, data, receivedAt: Date.now() }
        if (Option.isNone(journal)) {
          ack()
          Queue.offerUnsafe(frames, frame)
          return
        }
        run(
          journal.value.record(frame).pipe(
            Effect.match({
              onFailure: (error) => {
                run(
                  Effect.logWarning("could not record a callback; not ACKed, so DingTalk redelivers it").pipe(
                    Effect.annotateLogs({ error: error.message }),
                  ),
                )
              },
              onSuccess: (recorded) => {
                ack()
                Queue.offerUnsafe(frames, recorded)
              },
            }),
          ),
        )
      },
      onState: (next) => {
        state = next
        PubSub.publishUnsafe(changes, next)
      },
      onEvent: (event) => run(log(event)),
    })
    yield* Effect.acquireRelease(
      Effect.sync(() => supervisor.start()),
      () => Effect.sync(() => supervisor.stop()),
    )
    const currentState = Effect.sync(
      (): ConnectionState =>
        state._tag === "Connected"
          ? { ...state, lastFrameAt: supervisor.counters.lastFrameAt ?? state.lastFrameAt }
          : state,
    )
    const transport = Transport.of({
      frames: Stream.fromQueue(frames),
      state: currentState,
      stateChanges: Stream.fromPubSub(changes),
      stop: Effect.sync(() => {
        supervisor.stop()
        Queue.endUnsafe(frames)
      }),
    })
    const diagnostics = StreamDiagnostics.of({
      snapshot: Effect.map(currentState, (current) => ({
        state: current,
        counters: { ...supervisor.counters },
        pendingTimers: timers.pending(),
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
