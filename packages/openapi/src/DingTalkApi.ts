import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { AccessTokens, type TokenUnavailable } from "./AccessTokens.js"
import type { ApiCallFailed } from "./ApiCallFailed.js"
import { callApi } from "./callApi.js"
import type { ResolvedOpenApiConfig } from "./OpenApiConfig.js"
import { makeRateLimiter } from "./RateLimiter.js"
import { TRANSIENT_RETRIES, transientBackoff } from "./transientRetry.js"

/**
 * Authorised, rate-limited v1.0 calls for one app: an invalid token is refreshed and the call retried once;
 * throttling, 5xx and network failures, of the call or of the token request it needs, are retried with jittered
 * exponential backoff (the only retry layer).
 */
export class DingTalkApi extends Context.Service<
  DingTalkApi,
  {
    readonly config: ResolvedOpenApiConfig
    /**
     * `sends: true` for calls that deliver something (robot messages): those are retried only when the failure shows
     * the call had no effect, so a message is never sent twice.
     */
    readonly post: (
      path: string,
      body: unknown,
      options?: { readonly sends?: boolean },
    ) => Effect.Effect<unknown, ApiCallFailed | TokenUnavailable>
  }
>()("@openpollen/openapi/DingTalkApi") {}

export const makeDingTalkApi = (config: ResolvedOpenApiConfig) =>
  Effect.gen(function* () {
    const tokens = yield* AccessTokens
    const limiter = makeRateLimiter(config.qps)
    const attempt = (path: string, body: unknown) =>
      Effect.gen(function* () {
        yield* limiter.acquire
        const token = yield* tokens.get
        return yield* callApi({
          apiBase: config.apiBase,
          path,
          body,
          token,
          timeoutMs: config.requestTimeoutMs,
        }).pipe(Effect.tapError((error) => (error.invalidToken ? tokens.invalidate(token) : Effect.void)))
      })
    const post = (path: string, body: unknown, options: { readonly sends?: boolean } = {}) =>
      attempt(path, body).pipe(
        Effect.retry({ times: 1, while: (error) => error._tag === "ApiCallFailed" && error.invalidToken }),
        Effect.retry({
          schedule: transientBackoff(config.retryBaseMs),
          times: TRANSIENT_RETRIES,
          while: (error) =>
            error._tag === "ApiCallFailed"
              ? error.transient && (options.sends !== true || error.certain)
              : error.retryable,
        }),
        Effect.withSpan("DingTalkApi.post", { attributes: { path } }),
      )
    return DingTalkApi.of({ config, post })
  })

export const dingTalkApiLayer = (config: ResolvedOpenApiConfig) =>
  Layer.effect(DingTalkApi, makeDingTalkApi(config))
