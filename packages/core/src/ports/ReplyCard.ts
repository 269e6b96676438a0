import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export class CardFailed extends Schema.TaggedError<CardFailed>()("CardFailed", {
  /**
   * permission: the app lacks a card scope (see `permission`); template: the template does not exist;
   * qps: DingTalk's QpsLimit 403; rejected: DingTalk refused the request or the delivery (a 4xx, a failed
   * deliverResult); http: a 5xx; timeout / network / credentials: the call or its token did not get through.
   */
  reason: Schema.Literals([
    "permission",
    "template",
    "qps",
    "rejected",
    "http",
    "timeout",
    "network",
    "credentials",
  ]),
  status: Schema.optional(Schema.Number),
  code: Schema.optional(Schema.String),
  /** The scope to grant when reason is permission, e.g. `Card.Instance.Write`. */
  permission: Schema.optional(Schema.String),
  retryable: Schema.Boolean,
  /** Wait at least this long before the next card call (QpsLimit). */
  retryAfterMs: Schema.optional(Schema.Number),
  message: Schema.String,
}) {}

/** Where a card goes: a group, or the DM of a user (staffId). */
export type CardSpace =
  | { readonly kind: "group"; readonly openConversationId: string }
  | { readonly kind: "dm"; readonly staffId: string }

export interface NewCard {
  /** Chosen by us and unique per reply; a retry of the same reply reuses it. */
  readonly outTrackId: string
  readonly space: CardSpace
}

export interface CardContent {
  /** The whole text so far (each update replaces the last). */
  readonly content: string
}

/**
 * AI cards that stream a reply: create and deliver one, update its text, finalize it. Calls are single attempts
 * (the caller decides what to retry); every failure is a structured CardFailed.
 */
export class ReplyCard extends Context.Service<
  ReplyCard,
  {
    /** "existing" when a card with this outTrackId was already created (a retry whose first attempt got through). */
    readonly create: (card: NewCard) => Effect.Effect<"created" | "existing", CardFailed>
    readonly stream: (outTrackId: string, update: CardContent) => Effect.Effect<void, CardFailed>
    /** The last update: the complete text, or the apology with `error: true`. */
    readonly finalize: (
      outTrackId: string,
      update: CardContent & { readonly error: boolean },
    ) => Effect.Effect<void, CardFailed>
  }
>()("@openpollen/core/ReplyCard") {}
