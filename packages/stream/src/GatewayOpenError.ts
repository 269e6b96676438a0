import * as Schema from "effect/Schema"

/** `connections/open` failed, or the WebSocket after it could not be opened. No secret or ticket in any field. */
export class GatewayOpenError extends Schema.TaggedError<GatewayOpenError>()("GatewayOpenError", {
  message: Schema.String,
  status: Schema.optional(Schema.Number),
  code: Schema.optional(Schema.String),
}) {
  /** The gateway rejected the app credentials: retrying soon cannot help. */
  get badCredentials(): boolean {
    return this.status === 401 || this.code === "authFailed"
  }
}
