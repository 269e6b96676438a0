import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  createClient,
  DisconnectsClientError,
  ErrorReply,
  type RedisClientType,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  TimeoutError,
} from "@redis/client"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import { RedisUnavailable } from "./RedisUnavailable.js"
import { parseRedisUrl } from "./redisUrl.js"

export type RedisClient = RedisClientType<{}, {}, {}, 2, {}>

export interface RedisConnectionConfig {
  /** `redis[s]://[[user]:password@]host[:port][/db]`; the password never reaches a log or an error. */
  readonly url: Redacted.Redacted<string> | string
  /** Prepended to every key, so several deployments can share one server. Default `openpollen:`. */
  readonly keyPrefix?: string
  /** How long start-up may take to reach Redis (retrying) before the layer fails. Default 5 s. */
  readonly connectTimeoutMs?: number
  /** Per-command timeout. Default 2 s. */
  readonly commandTimeoutMs?: number
}

/** One Redis connection shared by every Redis store of a process. */
export class RedisConnection extends Context.Service<
  RedisConnection,
  {
    /** `host:port`, safe to log. */
    readonly where: string
    readonly keyPrefix: string
    /** Runs commands on the client; every failure becomes a RedisUnavailable without secrets in it. */
    readonly run: <A>(
      what: string,
      commands: (client: RedisClient) => Promise<A>,
    ) => Effect.Effect<A, RedisUnavailable>
  }
>()("@openpollen/redis/RedisConnection") {
  static readonly layer = (config: RedisConnectionConfig) =>
    Layer.effect(RedisConnection, makeRedisConnection(config))
}

const AUTH_CODES = new Set(["WRONGPASS", "NOAUTH", "NOPERM"])

/** Translates a client failure into a typed error; only error classes and codes are read, never messages. */
export const redisFailure = (where: string, what: string, error: unknown): RedisUnavailable => {
  const make = (reason: RedisUnavailable["reason"], detail: string) =>
    new RedisUnavailable({ where, reason, message: `redis ${where}: ${what} failed (${detail})` })
  if (error instanceof ErrorReply) {
    const code = /^[A-Z][A-Z_]*/.exec(error.message)?.[0] ?? "ERR"
    return AUTH_CODES.has(code) ? make("auth", `authentication rejected: ${code}`) : make("reply", code)
  }
  if (
    error instanceof TimeoutError ||
    error instanceof ConnectionTimeoutError ||
    error instanceof SocketTimeoutError
  )
    return make("timeout", "timed out")
  if (
    error instanceof ClientOfflineError ||
    error instanceof ClientClosedError ||
    error instanceof DisconnectsClientError ||
    error instanceof SocketClosedUnexpectedlyError
  )
    return make("offline", "not connected")
  const code = Predicate.hasProperty(error, "code") && Predicate.isString(error.code) ? error.code : undefined
  return make("unreachable", code ?? (error instanceof Error ? error.name : "unknown error"))
}

const reconnectDelay = (retries: number) => Math.min(100 * 2 ** retries, 2_000)

export const makeRedisConnection = (config: RedisConnectionConfig) =>
  Effect.gen(function* () {
    const url = Predicate.isString(config.url) ? config.url : Redacted.value(config.url)
    const endpoint = parseRedisUrl(url)
    if (endpoint === undefined)
      return yield* new RedisUnavailable({
        where: "<invalid url>",
        reason: "invalid-url",
        message: "redis: the url is not a redis:// or rediss:// URL",
      })
    const { where } = endpoint
    const connectTimeoutMs = config.connectTimeoutMs ?? 5_000
    const context = yield* Effect.context<never>()
    const log = (effect: Effect.Effect<void>) =>
      void Effect.runForkWith(context)(effect.pipe(Effect.annotateLogs({ redis: where })))

    let lastError: unknown
    let state: "starting" | "ready" | "lost" | "closing" = "starting"
    const client: RedisClient = createClient({
      url,
      RESP: 2,
      disableOfflineQueue: true,
      commandOptions: { timeout: config.commandTimeoutMs ?? 2_000 },
      socket: {
        connectTimeout: Math.min(connectTimeoutMs, 5_000),
        // At start-up an answer like WRONGPASS will not change by retrying; later, any error is worth a retry.
        reconnectStrategy: (retries, cause) =>
          state === "starting" && cause instanceof ErrorReply ? false : reconnectDelay(retries),
      },
    })
    client.on("error", (error: unknown) => {
      lastError = error
      if (state !== "ready") return
      state = "lost"
      const failure = redisFailure(where, "connection", error)
      log(
        Effect.logWarning("redis connection lost; reconnecting").pipe(
          Effect.annotateLogs({ error: failure.message }),
        ),
      )
    })
    client.on("ready", () => {
      if (state === "lost") log(Effect.logInfo("redis connection restored"))
      if (state !== "closing") state = "ready"
    })

    const close = Effect.promise(() =>
      client.close().then(
        () => undefined,
        () => undefined,
      ),
    ).pipe(
      Effect.timeoutOrElse({ duration: Duration.seconds(1), orElse: () => Effect.void }),
      Effect.ensuring(Effect.sync(() => client.destroy())),
    )

    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => client.connect(),
        catch: (error) => redisFailure(where, "connecting", error),
      }).pipe(
        Effect.timeoutOrElse({
          duration: Duration.millis(connectTimeoutMs),
          orElse: () =>
            Effect.fail(
              lastError === undefined
                ? redisFailure(where, "connecting", new ConnectionTimeoutError())
                : redisFailure(where, `connecting within ${connectTimeoutMs} ms`, lastError),
            ),
        }),
        Effect.onExit((exit) =>
          exit._tag === "Failure"
            ? Effect.sync(() => {
                state = "closing"
                client.destroy()
              })
            : Effect.void,
        ),
      ),
      () =>
        Effect.suspend(() => {
          state = "closing"
          return close
        }),
    )
    yield* Effect.logDebug("connected to redis").pipe(Effect.annotateLogs({ redis: endpoint.masked }))

    return RedisConnection.of({
      where,
      keyPrefix: config.keyPrefix ?? "openpollen:",
      run: (what, commands) =>
        Effect.tryPromise({
          try: () => commands(client),
          catch: (error) => redisFailure(where, what, error),
        }),
    })
  })
