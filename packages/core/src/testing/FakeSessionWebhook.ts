import { Effect, Layer } from "effect"
import type { MarkdownMessage } from "../domain/OutboundReply.js"
import { SessionWebhook, type WebhookError } from "../ports/SessionWebhook.js"

export interface WebhookSend {
  readonly url: string
  readonly message: MarkdownMessage
}

/** Records every webhook send; failures are scripted per call with `failNext`. */
export const makeFakeSessionWebhook = () => {
  const sent: Array<WebhookSend> = []
  const scripted: Array<WebhookError | "ok"> = []
  let delay: Effect.Effect<void> = Effect.void
  const service = SessionWebhook.of({
    send: (url, message) =>
      Effect.gen(function* () {
        yield* delay
        const step = scripted.shift()
        if (step !== undefined && step !== "ok") return yield* Effect.fail(step)
        sent.push({ url, message })
      }),
  })
  return {
    layer: Layer.succeed(SessionWebhook, service),
    sent,
    /** Scripts the next calls in order: an error fails that call, "ok" lets it through. */
    failNext: (...steps: ReadonlyArray<WebhookError | "ok">) => void scripted.push(...steps),
    delayEachSend: (effect: Effect.Effect<void>) => {
      delay = effect
    },
  }
}
