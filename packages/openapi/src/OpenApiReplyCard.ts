import { randomUUID } from "node:crypto"
import { CardFailed, type CardSpace, ReplyCard } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Schema from "effect/Schema"
import { AccessTokens, type TokenUnavailable } from "./AccessTokens.js"
import type { ApiCallFailed } from "./ApiCallFailed.js"
import { makeCardCallLimiter } from "./CardCallLimiter.js"
import { callApi } from "./callApi.js"
import type { ResolvedOpenApiConfig } from "./OpenApiConfig.js"

const CREATE_PATH = "/v1.0/card/instances/createAndDeliver"
const STREAMING_PATH = "/v1.0/card/streaming"
/** DingTalk asks for about a second after a QpsLimit 403; the jitter spreads the cards that all got one. */
const QPS_BACKOFF_MS = 1_000

const DeliverResults = Schema.Struct({
  deliverResults: Schema.optional(
    Schema.Array(Schema.Struct({ success: Schema.Boolean, errorMsg: Schema.optional(Schema.String) })),
  ),
})
const CreateAnswer = Schema.Struct({ result: Schema.optional(DeliverResults) })

const describe = (
  error: ApiCallFailed | TokenUnavailable,
  scope: string,
  retryAfterMs: number,
): CardFailed => {
  if (error._tag === "TokenUnavailable")
    return new CardFailed({
      reason:
        error.reason === "credentials" ? "credentials" : error.reason === "timeout" ? "timeout" : "network",
      retryable: error.retryable,
      message: error.message,
    })
  const known = {
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.code === undefined ? {} : { code: error.code }),
    message: error.message,
  }
  if (error.permissionDenied)
    return new CardFailed({
      ...known,
      reason: "permission",
      permission: error.requiredScopes?.[0] ?? scope,
      retryable: false,
    })
  if (error.throttled) return new CardFailed({ ...known, reason: "qps", retryable: true, retryAfterMs })
  if (error.kind === "timeout" || error.kind === "network")
    return new CardFailed({ ...known, reason: error.kind, retryable: true })
  if (error.kind === "http" && (error.status ?? 0) < 500)
    return new CardFailed({
      ...known,
      reason: /template/i.test(error.code ?? "") ? "template" : "rejected",
      retryable: false,
    })
  return new CardFailed({ ...known, reason: "http", retryable: true })
}

const openSpace = (space: CardSpace, robotCode: string) =>
  space.kind === "group"
    ? {
        openSpaceId: `dtv1.card//IM_GROUP.${space.openConversationId}`,
        imGroupOpenSpaceModel: { supportForward: true },
        imGroupOpenDeliverModel: { robotCode },
      }
    : {
        openSpaceId: `dtv1.card//IM_ROBOT.${space.staffId}`,
        imRobotOpenSpaceModel: { supportForward: true },
        imRobotOpenDeliverModel: { spaceType: "IM_ROBOT", robotCode },
      }

/**
 * AI cards through `card/instances/createAndDeliver` and `card/streaming`: single attempts (only an invalid token is
 * refreshed and the call repeated), under one limiter for all the app's cards that also holds every card back after
 * a QpsLimit answer.
 */
export const makeOpenApiReplyCard = (config: ResolvedOpenApiConfig) =>
  Effect.gen(function* () {
    const tokens = yield* AccessTokens
    const limiter = yield* makeCardCallLimiter(
      config.card.qps,
      config.cardRateWindow === undefined
        ? undefined
        : {
            window: config.cardRateWindow,
            key: `card:${config.clientId}`,
            holdMs: config.requestTimeoutMs + 1_000,
          },
    )
    const { templateId, contentKey } = config.card

    const call = (method: "post" | "put", path: string, body: unknown, scope: string) =>
      Effect.gen(function* () {
        const token = yield* tokens.get
        return yield* limiter
          .limit(
            callApi({
              apiBase: config.apiBase,
              path,
              method,
              body,
              token,
              timeoutMs: config.requestTimeoutMs,
            }),
          )
          .pipe(Effect.tapError((error) => (error.invalidToken ? tokens.invalidate(token) : Effect.void)))
      }).pipe(
        Effect.retry({ times: 1, while: (error) => error._tag === "ApiCallFailed" && error.invalidToken }),
        Effect.catch((error) =>
          Effect.gen(function* () {
            const jitter = yield* Random.nextIntBetween(0, 500)
            const failure = describe(error, scope, QPS_BACKOFF_MS + jitter)
            if (failure.retryAfterMs !== undefined) yield* limiter.holdOff(failure.retryAfterMs)
            return yield* failure
          }),
        ),
        Effect.withSpan("ReplyCard.call", { attributes: { path } }),
      )

    const update = (outTrackId: string, content: string, isFinalize: boolean, isError: boolean) =>
      Effect.flatMap(
        Effect.sync(() => randomUUID()),
        (guid) =>
          call(
            "put",
            STREAMING_PATH,
            { outTrackId, guid, key: contentKey, content, isFull: true, isFinalize, isError },
            "Card.Streaming.Write",
          ),
      ).pipe(Effect.asVoid)

    return ReplyCard.of({
      create: ({ outTrackId, space }) =>
        Effect.gen(function* () {
          const answer = yield* call(
            "post",
            CREATE_PATH,
            {
              cardTemplateId: templateId,
              outTrackId,
              cardData: { cardParamMap: { [contentKey]: "" } },
              callbackType: "STREAM",
              ...openSpace(space, config.robotCode),
              userIdType: 1,
            },
            "Card.Instance.Write",
          ).pipe(
            Effect.map(Schema.decodeUnknownOption(CreateAnswer)),
            Effect.catchIf(
              (error) => error.reason === "rejected" && /duplicat/i.test(error.code ?? ""),
              () => Effect.succeed("existing" as const),
            ),
          )
          if (answer === "existing") return answer
          const refused =
            answer._tag === "Some"
              ? answer.value.result?.deliverResults?.find((result) => !result.success)
              : undefined
          if (refused !== undefined)
            return yield* new CardFailed({
              reason: "rejected",
              retryable: false,
              message: `the card was not delivered${refused.errorMsg === undefined ? "" : `: ${refused.errorMsg}`}`,
            })
          return "created" as const
        }),
      stream: (outTrackId, { content }) => update(outTrackId, content, false, false),
      finalize: (outTrackId, { content, error }) => update(outTrackId, content, true, error),
    })
  })

export const openApiReplyCardLayer = (config: ResolvedOpenApiConfig) =>
  Layer.effect(ReplyCard, makeOpenApiReplyCard(config))
