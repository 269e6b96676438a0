import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import WebSocket from "ws"
import { GatewayOpenError } from "./GatewayOpenError.js"
import { type Inbox, receiveFrame } from "./receiveFrame.js"
import { type EndpointRequest, requestEndpoint } from "./requestEndpoint.js"
import { StreamClient } from "./StreamClient.js"

export interface ConnectionOptions extends EndpointRequest {
  readonly idleTimeoutMs: number
  /** 0 turns our WebSocket pings off. */
  readonly keepAliveMs: number
  readonly maxFrameBytes: number
}

/** Why a connection is over (or, for ServerDisconnect, about to be). */
export type ConnectionEnd =
  | { readonly _tag: "ServerDisconnect"; readonly reason: string }
  | { readonly _tag: "Closed"; readonly code: number }
  | { readonly _tag: "Idle" }
  | { readonly _tag: "NoPong" }
  | { readonly _tag: "Oversized" }
  | { readonly _tag: "SocketError"; readonly code: string }

export interface Connection {
  readonly openedAt: number
  /** Resolves with the first reason the connection ended; it stays open until its scope closes. */
  readonly ended: Effect.Effect<ConnectionEnd>
}

/** Counts sockets created and not yet terminated, across connections. */
export interface SocketGauge {
  open: number
}

const errorCode = (error: unknown): string => {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === "string" ? code : "unknown"
}

/**
 * One connection, living in the caller's scope: a gateway ticket, a WebSocket (frames capped at `maxFrameBytes`),
 * and two fibers, the idle watchdog and the keep-alive ping. Closing the scope terminates the socket and stops
 * both fibers. Fails with GatewayOpenError when the gateway or the handshake fails.
 */
export const openConnection = (
  options: ConnectionOptions,
  inbox: Inbox,
  gauge: SocketGauge,
): Effect.Effect<Connection, GatewayOpenError, Scope.Scope> =>
  Effect.gen(function* () {
    const url = yield* requestEndpoint(options)
    const clock = yield* Clock.Clock
    const ended = Deferred.makeUnsafe<ConnectionEnd>()
    const end = (reason: ConnectionEnd) => Deferred.doneUnsafe(ended, Effect.succeed(reason))
    let lastFrameAt = clock.currentTimeMillisUnsafe()
    let answered = true
    const socket = yield* Effect.acquireRelease(
      Effect.try({
        try: () =>
          new WebSocket(url, { handshakeTimeout: options.timeoutMs, maxPayload: options.maxFrameBytes }),
        catch: () =>
          new GatewayOpenError({ message: "the gateway returned an endpoint that is not a WebSocket URL" }),
      }).pipe(Effect.tap(() => Effect.sync(() => (gauge.open += 1)))),
      (socket) =>
        Effect.sync(() => {
          gauge.open -= 1
          socket.terminate()
        }),
    )
    const receive = receiveFrame(new StreamClient(options.clientId, socket), inbox, {
      onFrame: () => {
        lastFrameAt = clock.currentTimeMillisUnsafe()
        inbox.counters.lastFrameAt = lastFrameAt
        answered = true
      },
      onServerDisconnect: (reason) => end({ _tag: "ServerDisconnect", reason }),
    })
    socket.on("message", (data) => receive(data.toString()))
    socket.on("pong", () => {
      answered = true
    })
    socket.on("close", (code) => end({ _tag: "Closed", code }))
    socket.on("error", (error) =>
      end(
        errorCode(error) === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"
          ? { _tag: "Oversized" }
          : { _tag: "SocketError", code: errorCode(error) },
      ),
    )

    yield* Effect.callback<void, GatewayOpenError>((resume) => {
      const opened = () => {
        socket.off("error", failed).off("close", closed)
        resume(Effect.void)
      }
      const failed = (error: unknown) => {
        const status = /Unexpected server response: (\d+)/.exec(
          String((error as Error | undefined)?.message),
        )?.[1]
        fail(status === undefined ? errorCode(error) : `HTTP ${status}`)
      }
      const closed = (code: number) => fail(`closed with ${code}`)
      const fail = (detail: string) => {
        socket.off("open", opened).off("error", failed).off("close", closed)
        resume(Effect.fail(new GatewayOpenError({ message: `WebSocket handshake failed (${detail})` })))
      }
      socket.once("open", opened).once("error", failed).once("close", closed)
    })

    const openedAt = clock.currentTimeMillisUnsafe()
    lastFrameAt = openedAt
    const watchdog = Effect.gen(function* () {
      while (true) {
        const silentMs = clock.currentTimeMillisUnsafe() - lastFrameAt
        if (silentMs >= options.idleTimeoutMs) return end({ _tag: "Idle" })
        yield* Effect.sleep(options.idleTimeoutMs - silentMs)
      }
    })
    const keepAlive = Effect.gen(function* () {
      while (true) {
        answered = false
        socket.ping()
        yield* Effect.sleep(options.keepAliveMs)
        if (!answered) return end({ _tag: "NoPong" })
      }
    })
    yield* Effect.forkScoped(watchdog)
    if (options.keepAliveMs > 0) yield* Effect.forkScoped(keepAlive)
    return { openedAt, ended: Deferred.await(ended) }
  })
