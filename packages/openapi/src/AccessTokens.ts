import { TokenStore } from "@openpollen/core"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type { ApiCallFailed } from "./ApiCallFailed.js"
import { callApi } from "./callApi.js"
import type { ResolvedOpenApiConfig } from "./OpenApiConfig.js"

export class TokenUnavailable extends Schema.TaggedError<TokenUnavailable>()("TokenUnavailable", {
  reason: Schema.Literals(["credentials", "http", "timeout", "network", "store"]),
  /** The token endpoint failed transiently (5xx, throttling, timeout, network): worth another attempt later. */
  retryable: Schema.Boolean,
  message: Schema.String,
}) {}

const TokenAnswer = Schema.Struct({ accessToken: Schema.String, expireIn: Schema.Number })

/**
 * Access tokens from `oauth2/accessToken`, cached in the TokenStore and refreshed before they expire. A failed
 * request is not retried here: DingTalkApi retries the call that needed the token, the token request included.
 */
export class AccessTokens extends Context.Service<
  AccessTokens,
  {
    /** A valid token; concurrent callers share one request. */
    readonly get: Effect.Effect<Redacted.Redacted<string>, TokenUnavailable>
    /** Drops `token` (DingTalk called it invalid) so the next `get` fetches a new one. */
    readonly invalidate: (token: Redacted.Redacted<string>) => Effect.Effect<void>
  }
>()("@openpollen/openapi/AccessTokens") {}

const unavailable = (error: ApiCallFailed) =>
  new TokenUnavailable({
    reason:
      error.code === "invalidClientIdOrSecret" ||
      error.status === 401 ||
      (error.status === 403 && !error.throttled)
        ? "credentials"
        : error.kind === "malformed"
          ? "http"
          : error.kind,
    retryable: error.transient,
    message:
      error.code === "invalidClientIdOrSecret"
        ? "DingTalk rejected the app credentials (clientId / clientSecret)"
        : `access token request failed: ${error.message}`,
  })

export const makeAccessTokens = (config: ResolvedOpenApiConfig) =>
  Effect.gen(function* () {
    const store = yield* TokenStore
    let inflight: Deferred.Deferred<Redacted.Redacted<string>, TokenUnavailable> | undefined

    const fetchToken = Effect.gen(function* () {
      const answer = yield* callApi({
        apiBase: config.apiBase,
        path: "/v1.0/oauth2/accessToken",
        body: { appKey: config.clientId, appSecret: Redacted.value(config.clientSecret) },
        timeoutMs: config.requestTimeoutMs,
      }).pipe(Effect.mapError(unavailable))
      const decoded = Schema.decodeUnknownResult(TokenAnswer)(answer)
      if (Result.isFailure(decoded))
        return yield* new TokenUnavailable({
          reason: "http",
          retryable: false,
          message: "access token answer without accessToken/expireIn",
        })
      const now = yield* Clock.currentTimeMillis
      const token = {
        accessToken: Redacted.make(decoded.success.accessToken),
        expiresAt: now + decoded.success.expireIn * 1000,
      }
      yield* store
        .set(config.clientId, token)
        .pipe(
          Effect.catch((error) =>
            Effect.logWarning("token store write failed").pipe(Effect.annotateLogs({ error: error.message })),
          ),
        )
      yield* Effect.logDebug("fetched a DingTalk access token").pipe(
        Effect.annotateLogs({ expiresInSeconds: decoded.success.expireIn }),
      )
      return token.accessToken
    })

    const cached = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const stored = yield* store.get(config.clientId).pipe(Effect.orElseSucceed(() => Option.none()))
      return Option.filter(stored, (token) => token.expiresAt - config.tokenRefreshMarginMs > now)
    })

    // Under a cross-process lock another instance may have stored a fresh token while this one waited.
    const lockedFetch =
      config.refreshLock === undefined
        ? fetchToken
        : config
            .refreshLock(
              `token:${config.clientId}`,
              Effect.flatMap(cached, (hit) =>
                Option.isSome(hit) ? Effect.succeed(hit.value.accessToken) : fetchToken,
              ),
            )
            .pipe(
              Effect.catchTag("TokenStoreError", (error) =>
                Effect.fail(
                  new TokenUnavailable({ reason: "store", retryable: true, message: error.message }),
                ),
              ),
            )

    // The refresh runs detached from every caller: interrupting the caller that started it (its message was
    // cancelled) leaves the refresh, and everyone waiting for it, going.
    const get = Effect.gen(function* () {
      const hit = yield* cached
      if (Option.isSome(hit)) return hit.value.accessToken
      let shared = inflight
      if (shared === undefined) {
        const deferred = Deferred.makeUnsafe<Redacted.Redacted<string>, TokenUnavailable>()
        shared = deferred
        inflight = deferred
        yield* lockedFetch.pipe(
          Effect.onExit((exit) => Deferred.done(deferred, exit)),
          Effect.ensuring(
            Effect.sync(() => {
              if (inflight === deferred) inflight = undefined
            }),
          ),
          Effect.forkDetach,
        )
      }
      return yield* Deferred.await(shared)
    })

    const invalidate = (token: Redacted.Redacted<string>) =>
      Effect.gen(function* () {
        const stored = yield* store.get(config.clientId).pipe(Effect.orElseSucceed(() => Option.none()))
        if (Option.isSome(stored) && Redacted.value(stored.value.accessToken) === Redacted.value(token))
          yield* store.remove(config.clientId).pipe(Effect.ignore)
      })

    return AccessTokens.of({ get, invalidate })
  })

export const accessTokensLayer = (config: ResolvedOpenApiConfig) =>
  Layer.effect(AccessTokens, makeAccessTokens(config))
