import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export class CooldownError extends Schema.TaggedError<CooldownError>()("CooldownError", {
  message: Schema.String,
}) {}

/**
 * Lets something happen at most once per key per window (e.g. one refusal line per sender, conversation and hour).
 * Keys are `<robotCode>:<conversationId>:<senderId>`.
 */
export class Cooldown extends Context.Service<
  Cooldown,
  {
    /** `true` (and the window starts) when the key was not taken within the last `windowMs`; `false` otherwise. */
    readonly take: (key: string, windowMs: number) => Effect.Effect<boolean, CooldownError>
  }
>()("@openpollen/core/Cooldown") {}
