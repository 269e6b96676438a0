import { Context, type Effect, type Option, type Redacted, Schema } from "effect"

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
