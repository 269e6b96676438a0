import * as Schema from "effect/Schema"

/** The callback payload is not a robot message we can trust: `path` names the field (e.g. `content.downloadCode`). */
export class CallbackDecodeError extends Schema.TaggedError<CallbackDecodeError>()("CallbackDecodeError", {
  path: Schema.String,
  message: Schema.String,
}) {}
