import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/** The ids a stored frame is logged and listed with: never its text, sender or session webhook. */
const CallbackIds = Schema.Struct({
  msgId: Schema.optionalKey(Schema.String),
  conversationId: Schema.optionalKey(Schema.String),
})
const decodeIds = Schema.decodeUnknownOption(CallbackIds)

export const frameIds = (data: unknown): { readonly msgId?: string; readonly conversationId?: string } =>
  Option.getOrElse(decodeIds(data), () => ({}))
