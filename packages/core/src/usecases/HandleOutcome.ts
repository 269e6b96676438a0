import type { PolicyDecision } from "../rules/evaluatePolicy.js"
import type { DeliveryFailed, FallbackReason } from "./DeliveryFailed.js"

/** `notice`: the channel's own one-liner (an unsupported message type, an allowlist's refusal). */
export type ReplyKind = "answer" | "apology" | "command" | "notice"

export type HandleOutcome =
  | { readonly _tag: "Malformed"; readonly path: string }
  | { readonly _tag: "Duplicate"; readonly state: "in-flight" | "done" }
  /** A journalled message whose dedupe claim could not be checked: it stays in the journal and comes back. */
  | { readonly _tag: "Deferred"; readonly reason: "dedupe-unavailable" }
  | {
      readonly _tag: "Ignored"
      readonly reason: Extract<PolicyDecision, { _tag: "Ignore" }>["reason"] | "unsupported-type"
      /** A refusal line went out (allowlists with a `refusalMessage`). */
      readonly refused?: boolean
    }
  | {
      readonly _tag: "Replied"
      readonly kind: ReplyKind
      readonly parts: number
      readonly webhookParts: number
      readonly openApiParts: number
      /** Why the Open API carried parts of it, when it did. */
      readonly fallback?: FallbackReason
      readonly ambiguousRetries: number
      /** The answer streamed into an AI card. */
      readonly card?: true
    }
  /** The answer's text went out before a restart; now its media did (those that could). */
  | { readonly _tag: "MediaResumed"; readonly sent: number; readonly failed: number }
  | {
      readonly _tag: "ReplyFailed"
      readonly kind: ReplyKind
      readonly delivered: number
      readonly reason: string
      readonly failure: DeliveryFailed
    }
