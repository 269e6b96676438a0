import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { InboundMessage } from "../domain/InboundMessage.js"
import { ChannelSettings } from "../ports/ChannelSettings.js"
import { Cooldown } from "../ports/Cooldown.js"
import { shapeReply } from "../rules/shapeReply.js"
import { deliverReply } from "./deliverReply.js"

/** One refusal per sender per conversation per hour, so a refused user cannot make the bot spam. */
export const REFUSAL_WINDOW_MS = 3_600_000

/**
 * Sends the configured refusal line to someone an allowlist refused, unless one went to them in this conversation
 * within the hour. Never fails; `true` when a line went out. Without a Cooldown nothing is sent (never unbounded).
 */
export const refuseMessage = Effect.fnUntraced(function* (message: InboundMessage) {
  const settings = yield* ChannelSettings
  const text = settings.refusalMessage ?? ""
  if (text.trim() === "") return false
  const cooldown = yield* Effect.serviceOption(Cooldown)
  if (Option.isNone(cooldown)) {
    yield* Effect.logWarning("refusalMessage is set but no Cooldown is provided; staying silent")
    return false
  }
  const key = `${settings.robotCode}:${message.conversation.id}:${message.sender.id}`
  const admitted = yield* cooldown.value
    .take(key, REFUSAL_WINDOW_MS)
    .pipe(
      Effect.catch((error) =>
        Effect.logWarning("refusal cooldown unavailable; staying silent").pipe(
          Effect.annotateLogs({ error: error.message }),
          Effect.as(false),
        ),
      ),
    )
  if (!admitted) return false
  const sent = yield* deliverReply(message, shapeReply(text, message)).pipe(Effect.result)
  if (sent._tag === "Failure") {
    yield* Effect.logWarning("refusal could not be delivered").pipe(
      Effect.annotateLogs({ reason: sent.failure.reason }),
    )
    return false
  }
  return true
})
