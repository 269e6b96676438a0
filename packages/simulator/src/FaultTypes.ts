/** What the simulator can be told to get wrong, per endpoint and per connection. */
export type Endpoint =
  | "gateway"
  | "token"
  | "legacyToken"
  | "download"
  | "downloadUrl"
  | "groupSend"
  | "batchSend"
  | "mediaUpload"
  | "webhook"
  | "upgrade"
  | "cardCreate"
  | "cardStreaming"

export interface EndpointFault {
  /** Added latency before answering. */
  readonly latencyMs?: number
  /** Answer with this HTTP status (5xx, 401…) and a DingTalk-shaped error body. */
  readonly status?: number
  /** 403 `Forbidden.AccessDenied.QpsLimitForAppkeyAndApi`. */
  readonly throttle?: boolean
  /** 401 `InvalidAuthentication` even for a valid token. */
  readonly invalidToken?: boolean
  /** 403 `Forbidden.AccessDenied.AccessTokenPermissionDenied`. */
  readonly permissionDenied?: boolean
  /** Never answer (the request hangs until the client gives up). */
  readonly hang?: boolean
  /** Answer 302 to this Location instead (e.g. a download URL redirecting elsewhere). */
  readonly redirectTo?: string
  /** downloadUrl only: send the body one byte every this many ms (a slow-drip download). */
  readonly dripMs?: number
  /** `upgrade` only: accept the WebSocket, then terminate it at once (a connection that dies after its handshake). */
  readonly dropAfterOpen?: boolean
  /** `webhook` only: deliver the message (the chat shows it), then answer with this HTTP status (e.g. 502). */
  readonly statusAfterDelivery?: number
  /** Apply to the next N requests only, then clear. Default: until cleared. */
  readonly times?: number
}

export interface ConnectionFault {
  /** ACKs from this connection are ignored, so its callbacks get redelivered. */
  readonly dropAcks?: boolean
  /** Stop pushing anything (a zombie: the socket stays open, no pings, no callbacks). */
  readonly silent?: boolean
  /** A dead peer: `silent`, and it stops reading too, so WebSocket pings get no pong. The socket stays open. */
  readonly unresponsive?: boolean
}
