import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { type StoredToken, TokenStore } from "../ports/TokenStore.js"

/** Tokens held in process memory: the default when nothing has to survive a restart. */
export const makeMemoryTokenStore = Effect.sync(() => {
  const tokens = new Map<string, StoredToken>()
  return TokenStore.of({
    get: (key) => Effect.sync(() => Option.fromNullishOr(tokens.get(key))),
    set: (key, token) => Effect.sync(() => void tokens.set(key, token)),
    remove: (key) => Effect.sync(() => void tokens.delete(key)),
  })
})

export const MemoryTokenStore = { layer: Layer.effect(TokenStore, makeMemoryTokenStore) }
