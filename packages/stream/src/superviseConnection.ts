import type { ConnectionState } from "@openpollen/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import { GatewayOpenError } from "./GatewayOpenError.js"
import type { Connection, ConnectionEnd } from "./openConnection.js"
import { type BackoffOptions, type LinkDown, reconnectSchedule } from "./reconnectSchedule.js"
import type { StreamCounters } from "./StreamDiagnostics.js"

export interface SupervisorOptions {
  /** One connection attempt; the connection lives in the scope it is given. */
  readonly connect: Effect.Effect<Connection, GatewayOpenError, Scope.Scope>
  readonly connectTimeoutMs: number
  readonly idleTimeoutMs: number
  readonly keepAliveMs: number
  readonly backoff: BackoffOptions
  readonly counters: StreamCounters
  readonly setState: (state: ConnectionState) => void
}

interface Live {
  readonly connection: Connection
  readonly scope: Scope.Closeable
  readonly startedAt: number
}

const endReason = (end: ConnectionEnd): string => {
  switch (end._tag) {
    case "ServerDisconnect":
      return `server disconnect: ${end.reason}`
    case "Closed":
      return `connection closed (${end.code})`
    case "Idle":
      return "no frame for too long"
    case "NoPong":
      return "no answer to our ping"
    case "Oversized":
      return "a frame over the size cap"
    case "SocketError":
      return `socket error (${end.code})`
  }
}

/**
 * Keeps one Stream connection up, forever: at most one attempt in flight, each under a deadline; a warm handover
 * on SYSTEM `disconnect` (the replacement opens before the old connection is closed); and `reconnectSchedule`
 * between attempts. Each connection lives in its own child scope of the caller's, so interrupting this program,
 * or closing that scope, terminates every socket and stops every timer.
 */
export const superviseConnection = (options: SupervisorOptions): Effect.Effect<never, never, Scope.Scope> =>
  Effect.gen(function* () {
    const parent = yield* Effect.scope
    const { counters, setState } = options
    let failures = 0
    let credentialsReported = false

    /** `handover`: the current connection still delivers while its replacement opens, so the link is not down. */
    const attempt = (handover: boolean) =>
      Effect.gen(function* () {
        const startedAt = yield* Clock.currentTimeMillis
        if (!handover) setState({ _tag: "Connecting", attempt: failures, since: startedAt })
        const scope = yield* Scope.fork(parent)
        const connection = yield* options.connect.pipe(
          Effect.timeoutOrElse({
            duration: Duration.millis(options.connectTimeoutMs),
            orElse: () =>
              Effect.fail(
                new GatewayOpenError({ message: `connect attempt exceeded ${options.connectTimeoutMs} ms` }),
              ),
          }),
          Scope.provide(scope),
          Effect.onExit((exit) => (Exit.isFailure(exit) ? Scope.close(scope, exit) : Effect.void)),
          Effect.mapError((error): LinkDown => {
            failures += 1
            counters.connectFailures += 1
            return {
              attemptStartedAt: startedAt,
              reason: error.message,
              badCredentials: error.badCredentials,
            }
          }),
        )
        return { connection, scope, startedAt } satisfies Live
      })

    const session = Effect.suspend(() => {
      let current: Live | undefined
      const closeCurrent = Effect.suspend(() => {
        const live = current
        current = undefined
        return live === undefined ? Effect.void : Scope.close(live.scope, Exit.void)
      })
      return Effect.gen(function* () {
        while (true) {
          const next = yield* attempt(current !== undefined)
          yield* closeCurrent
          current = next
          failures = 0
          credentialsReported = false
          counters.connects += 1
          counters.lastFrameAt = next.connection.openedAt
          setState({
            _tag: "Connected",
            since: next.connection.openedAt,
            lastFrameAt: next.connection.openedAt,
          })
          yield* Effect.logInfo("dingtalk stream connected").pipe(
            Effect.annotateLogs({ connects: counters.connects }),
          )
          const end = yield* next.connection.ended
          if (end._tag === "ServerDisconnect") {
            counters.serverDisconnects += 1
            yield* Effect.logInfo("dingtalk asked to reconnect").pipe(
              Effect.annotateLogs({ reason: end.reason }),
            )
            continue
          }
          yield* logEnd(end, options, counters)
          yield* closeCurrent
          return yield* Effect.fail<LinkDown>({
            attemptStartedAt: next.startedAt,
            connectedAt: next.connection.openedAt,
            reason: endReason(end),
            badCredentials: false,
          })
        }
      }).pipe(Effect.ensuring(closeCurrent))
    })

    const schedule = reconnectSchedule(options.backoff).pipe(
      Schedule.tap(({ input, output, now }) =>
        Effect.gen(function* () {
          counters.lastError = input.reason
          if (output.waitMs === 0) return
          setState({
            _tag: "BackingOff",
            attempt: failures,
            retryAt: now + output.waitMs,
            lastError: input.reason,
          })
          if (!input.badCredentials)
            return yield* Effect.logWarning("dingtalk stream is down; reconnecting after a pause").pipe(
              Effect.annotateLogs({ error: input.reason, retryInMs: output.waitMs }),
            )
          if (credentialsReported) return
          credentialsReported = true
          yield* Effect.logError(
            "DingTalk rejected the app credentials (clientId / clientSecret); retrying slowly",
          ).pipe(Effect.annotateLogs({ retryInMs: output.waitMs }))
        }),
      ),
    )
    return yield* session.pipe(Effect.retry(schedule), Effect.orDie)
  })

const logEnd = (end: ConnectionEnd, options: SupervisorOptions, counters: StreamCounters) => {
  switch (end._tag) {
    case "Idle":
      counters.watchdogKills += 1
      return Effect.logWarning("no frame from dingtalk for too long; replacing the connection").pipe(
        Effect.annotateLogs({ idleMs: options.idleTimeoutMs }),
      )
    case "NoPong":
      counters.keepAliveKills += 1
      return Effect.logWarning("dingtalk did not answer our ping; replacing the connection").pipe(
        Effect.annotateLogs({ keepAliveMs: options.keepAliveMs }),
      )
    case "Oversized":
      counters.oversizedFrames += 1
      return Effect.logWarning("dingtalk sent a frame over the size cap; replacing the connection")
    default:
      return Effect.logWarning("dingtalk stream connection lost; reconnecting").pipe(
        Effect.annotateLogs({ reason: endReason(end) }),
      )
  }
}
