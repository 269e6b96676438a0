import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { MarkdownMessage } from "../domain/OutboundReply.js"
import {
  SessionWebhook,
  type WebhookError,
  WebhookExpired,
  WebhookOversize,
} from "../ports/SessionWebhook.js"
import { WIRE_LIMITS, wireSize } from "../rules/wireFormat.js"

export interface WebhookSend {
  readonly url: string
  readonly message: MarkdownMessage
}

/** Records every webhook send; failures are scripted per call with `failNext`. */
export const makeFakeSessionWebhook = () => {
  const sent: Array<WebhookSend> = []
  const scripted: Array<WebhookError | "ok"> = []
  const expired = new Set<string>()
  let delay: Effect.Effect<void> = Effect.void
  const service = SessionWebhook.of({
    send: (url, message) =>
      Effect.gen(function* () {
        yield* delay
        const step = scripted.shift()
        if (step !== undefined && step !== "ok") return yield* Effect.fail(step)
        if (expired.has(url)) return yield* new WebhookExpired({ errcode: 300001 })
        if (wireSize("webhook", message) > WIRE_LIMITS.webhookBodyBytes)
          return yield* new WebhookOversize({ errcode: 460101 })
        sent.push({ url, message })
      }),
  })
  return {
    layer: Layer.succeed(SessionWebhook, service),
    sent,
    /** Scripts the next calls in order: an error fails that call, "ok" lets it through. */
    failNext: (...steps: ReadonlyArray<WebhookError | "ok">) => void scripted.push(...steps),
    /** That webhook answers errcode 300001 from now on, as DingTalk's does once the session is gone. */
    expire: (url: string) => void expired.add(url),
    delayEachSend: (effect: Effect.Effect<void>) => {
      delay = effect
    },
  }
}
