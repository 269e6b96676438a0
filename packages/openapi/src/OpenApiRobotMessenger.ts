import { type MarkdownMessage, RobotMessenger, RobotSendFailed, sampleMarkdownParam } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type { TokenUnavailable } from "./AccessTokens.js"
import type { ApiCallFailed } from "./ApiCallFailed.js"
import { DingTalkApi } from "./DingTalkApi.js"

const BATCH_LIMIT = 20
const BatchAnswer = Schema.Struct({
  invalidStaffIdList: Schema.optional(Schema.Array(Schema.String)),
  flowControlledStaffIdList: Schema.optional(Schema.Array(Schema.String)),
})

const sendFailed = (error: ApiCallFailed | TokenUnavailable) => {
  if (error._tag === "TokenUnavailable")
    return new RobotSendFailed({
      reason:
        error.reason === "credentials" ? "credentials" : error.reason === "timeout" ? "timeout" : "network",
      retryable: error.reason !== "credentials",
      certainty: "certain",
      message: error.message,
    })
  return new RobotSendFailed({
    reason: error.permissionDenied
      ? "permission"
      : error.throttled
        ? "throttled"
        : error.kind === "timeout"
          ? "timeout"
          : error.kind === "network"
            ? "network"
            : "http",
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.code === undefined ? {} : { code: error.code }),
    retryable: error.transient,
    certainty: error.certain ? "certain" : "ambiguous",
    message: error.message,
  })
}

/** Proactive `sampleMarkdown` messages through `groupMessages/send` and `oToMessages/batchSend`. */
export const makeOpenApiRobotMessenger = Effect.gen(function* () {
  const api = yield* DingTalkApi
  const { robotCode } = api.config

  const sendBatch = (staffIds: ReadonlyArray<string>, message: MarkdownMessage) =>
    Effect.gen(function* () {
      const answer = yield* api
        .post(
          "/v1.0/robot/oToMessages/batchSend",
          {
            robotCode,
            userIds: staffIds,
            msgKey: "sampleMarkdown",
            msgParam: sampleMarkdownParam(message),
          },
          { sends: true },
        )
        .pipe(Effect.mapError(sendFailed))
      const lists = Schema.decodeUnknownResult(BatchAnswer)(answer)
      const invalid = Result.isSuccess(lists) ? (lists.success.invalidStaffIdList ?? []) : []
      const throttled = Result.isSuccess(lists) ? (lists.success.flowControlledStaffIdList ?? []) : []
      if (invalid.length + throttled.length > 0)
        return yield* new RobotSendFailed({
          reason: "rejected-users",
          retryable: invalid.length === 0,
          certainty: "certain",
          message: `${invalid.length} user(s) outside the robot's range and ${throttled.length} flow-controlled, of ${staffIds.length}`,
        })
    })

  return RobotMessenger.of({
    sendToGroup: (openConversationId, message) =>
      api
        .post(
          "/v1.0/robot/groupMessages/send",
          { robotCode, openConversationId, msgKey: "sampleMarkdown", msgParam: sampleMarkdownParam(message) },
          { sends: true },
        )
        .pipe(Effect.asVoid, Effect.mapError(sendFailed)),
    sendToUsers: (staffIds, message) =>
      Effect.forEach(
        Array.from({ length: Math.ceil(staffIds.length / BATCH_LIMIT) }, (_, index) =>
          staffIds.slice(index * BATCH_LIMIT, (index + 1) * BATCH_LIMIT),
        ),
        (batch) => sendBatch(batch, message),
        { discard: true },
      ),
  })
})

export const openApiRobotMessengerLayer = Layer.effect(RobotMessenger, makeOpenApiRobotMessenger)
