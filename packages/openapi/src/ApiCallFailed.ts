import * as Schema from "effect/Schema"

const THROTTLE_CODES = ["send.too.fast", "send.byToken.tooFast", "too.many.group", "too.many.people"]

/** A failed Open API call, as DingTalk described it (`code` from `{requestid, code, message}`). */
export class ApiCallFailed extends Schema.TaggedError<ApiCallFailed>()("ApiCallFailed", {
  kind: Schema.Literals(["http", "timeout", "network", "malformed"]),
  status: Schema.optional(Schema.Number),
  code: Schema.optional(Schema.String),
  /** The scopes a 403 AccessTokenPermissionDenied names (`accessdenieddetail.requiredScopes`). */
  requiredScopes: Schema.optional(Schema.Array(Schema.String)),
  /** The connection was refused or the host not found: the request never reached DingTalk. */
  notSent: Schema.optional(Schema.Boolean),
  message: Schema.String,
}) {
  /** The call certainly had no effect: DingTalk refused it (4xx, throttling) or never received it. */
  get certain(): boolean {
    return this.notSent === true || this.throttled || (this.kind === "http" && (this.status ?? 0) < 500)
  }
  get invalidToken(): boolean {
    return this.code === "InvalidAuthentication" || (this.status === 401 && this.code === undefined)
  }
  get throttled(): boolean {
    return (
      (this.code ?? "").startsWith("Forbidden.AccessDenied.QpsLimit") ||
      THROTTLE_CODES.includes(this.code ?? "")
    )
  }
  get permissionDenied(): boolean {
    return this.code === "Forbidden.AccessDenied.AccessTokenPermissionDenied"
  }
  /** Worth another attempt after a pause: throttling, 5xx, or the network. */
  get transient(): boolean {
    return this.throttled || this.kind === "network" || (this.kind === "http" && (this.status ?? 0) >= 500)
  }
}
