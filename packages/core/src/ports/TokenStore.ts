import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

export class TokenStoreError extends Schema.TaggedError<TokenStoreError>()("TokenStoreError", {
  message: Schema.String,
}) {}

export interface StoredToken {
  readonly accessToken: Redacted.Redacted<string>
  /** Epoch ms. */
  readonly expiresAt: number
}

/** Where access tokens live between calls (and, for shared stores, between processes). Keyed by clientId. */
export class TokenStore extends Context.Service<
  TokenStore,
  {
    readonly get: (key: string) => Effect.Effect<Option.Option<StoredToken>, TokenStoreError>
    readonly set: (key: string, token: StoredToken) => Effect.Effect<void, TokenStoreError>
    readonly remove: (key: string) => Effect.Effect<void, TokenStoreError>
  }
>()("@openpollen/core/TokenStore") {}
