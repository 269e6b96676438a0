import type { DeliveryCertainty } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type { TokenUnavailable } from "./AccessTokens.js"
import type { ApiCallFailed } from "./ApiCallFailed.js"
import type { DingTalkApi } from "./DingTalkApi.js"

const BATCH_LIMIT = 20
const BatchAnswer = Schema.Struct({
  invalidStaffIdList: Schema.optional(Schema.Array(Schema.String)),
  flowControlledStaffIdList: Schema.optional(Schema.Array(Schema.String)),
})

/** A failed robot send, in the fields RobotSendFailed and MediaSendFailed share. */
export interface RobotSendFailure {
  readonly reason:
    | "http"
    | "throttled"
    | "permission"
    | "credentials"
    | "rejected-users"
    | "timeout"
    | "network"
  readonly status?: number
  readonly code?: string
  readonly retryable: boolean
  readonly certainty: DeliveryCertainty
  readonly message: string
}

export const robotSendFailure = (error: ApiCallFailed | TokenUnavailable): RobotSendFailure => {
  if (error._tag === "TokenUnavailable")
    return {
      reason:
        error.reason === "credentials" ? "credentials" : error.reason === "timeout" ? "timeout" : "network",
      retryable: error.reason !== "credentials",
      certainty: "certain",
      message: error.message,
    }
  return {
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
  }
}

export interface RobotMessageBody {
  readonly msgKey: string
  readonly msgParam: string
}

/** `robot/groupMessages/send`. */
export const sendToGroup = (
  api: DingTalkApi["Service"],
  openConversationId: string,
  body: RobotMessageBody,
) =>
  api
    .post(
      "/v1.0/robot/groupMessages/send",
      { robotCode: api.config.robotCode, openConversationId, ...body },
      { sends: true },
    )
    .pipe(Effect.asVoid, Effect.mapError(robotSendFailure))

const sendBatch = (api: DingTalkApi["Service"], staffIds: ReadonlyArray<string>, body: RobotMessageBody) =>
  Effect.gen(function* () {
    const answer = yield* api
      .post(
        "/v1.0/robot/oToMessages/batchSend",
        { robotCode: api.config.robotCode, userIds: staffIds, ...body },
        { sends: true },
      )
      .pipe(Effect.mapError(robotSendFailure))
    const lists = Schema.decodeUnknownResult(BatchAnswer)(answer)
    const invalid = Result.isSuccess(lists) ? (lists.success.invalidStaffIdList ?? []) : []
    const throttled = Result.isSuccess(lists) ? (lists.success.flowControlledStaffIdList ?? []) : []
    if (invalid.length + throttled.length > 0)
      return yield* Effect.fail<RobotSendFailure>({
        reason: "rejected-users",
        retryable: invalid.length === 0,
        certainty: "certain",
        message: `${invalid.length} user(s) outside the robot's range and ${throttled.length} flow-controlled, of ${staffIds.length}`,
      })
  })

/** `robot/oToMessages/batchSend`, 20 staffIds per call. */
export const sendToUsers = (
  api: DingTalkApi["Service"],
  staffIds: ReadonlyArray<string>,
  body: RobotMessageBody,
) =>
  Effect.forEach(
    Array.from({ length: Math.ceil(staffIds.length / BATCH_LIMIT) }, (_, index) =>
      staffIds.slice(index * BATCH_LIMIT, (index + 1) * BATCH_LIMIT),
    ),
    (batch) => sendBatch(api, batch, body),
    { discard: true },
  )
