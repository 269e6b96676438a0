import * as Effect from "effect/Effect"
import type { MarkdownMessage } from "../domain/OutboundReply.js"
import { RobotMessenger, type RobotSendFailed } from "../ports/RobotMessenger.js"
import { DeliveryFailed } from "./DeliveryFailed.js"

/** Where the Open API sends: a group by openConversationId, or one user by staffId. */
export type OpenApiTarget =
  | { readonly route: "group"; readonly openConversationId: string }
  | { readonly route: "users"; readonly staffId: string }

export interface OpenApiDelivery {
  readonly delivered: number
  /** Parts sent a second time after a failure that left their delivery unknown. */
  readonly ambiguousRetries: number
}

const failedPart = (
  target: OpenApiTarget,
  error: RobotSendFailed,
  at: { readonly part: number; readonly delivered: number; readonly ambiguousRetries: number },
) =>
  new DeliveryFailed({
    route: target.route,
    reason: error.reason,
    ...at,
    certainty: error.certainty ?? "ambiguous",
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.code === undefined ? {} : { code: error.code }),
    message: error.message,
  })

/**
 * Sends parts in order through the Open API. A part whose failure leaves its delivery unknown without any answer
 * (a timeout or a reset) gets one more attempt; one DingTalk answered with an error is not sent again.
 * `partOffset` and `alreadyDelivered` count the parts that went out on another route before.
 */
export const sendThroughOpenApi = (
  target: OpenApiTarget,
  parts: ReadonlyArray<MarkdownMessage>,
  options: {
    readonly partOffset: number
    readonly alreadyDelivered: number
    /** The first part is already a second attempt (its webhook delivery was unknown): it gets no third. */
    readonly firstIsRetry?: boolean
  },
) =>
  Effect.gen(function* () {
    const messenger = yield* RobotMessenger
    const send = (part: MarkdownMessage) =>
      target.route === "group"
        ? messenger.sendToGroup(target.openConversationId, part)
        : messenger.sendToUsers([target.staffId], part)
    let delivered = 0
    let ambiguousRetries = 0
    for (const [index, part] of parts.entries()) {
      const fail = (error: RobotSendFailed) =>
        failedPart(target, error, {
          part: options.partOffset + index,
          delivered: options.alreadyDelivered + delivered,
          ambiguousRetries,
        })
      const first = yield* send(part).pipe(Effect.result)
      if (first._tag === "Failure") {
        const error = first.failure
        const lastChance = index === 0 && options.firstIsRetry === true
        if ((error.certainty ?? "ambiguous") === "certain" || error.status !== undefined || lastChance)
          return yield* fail(error)
        ambiguousRetries += 1
        yield* Effect.logWarning("an Open API send may have gone out; trying that part once more").pipe(
          Effect.annotateLogs({
            route: target.route,
            part: options.partOffset + index,
            reason: error.reason,
          }),
        )
        yield* send(part).pipe(Effect.mapError(fail))
      }
      delivered += 1
    }
    return { delivered, ambiguousRetries } satisfies OpenApiDelivery
  })
