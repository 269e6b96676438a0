import { describe, expect, it } from "@effect/vitest"
import { TokenStore } from "@openpollen/core"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/** Every TokenStore keeps tokens per key, returns them unchanged, and forgets them on `remove`. */
export const tokenStoreContract = <E>(name: string, makeLayer: () => Layer.Layer<TokenStore, E>) =>
  describe(`TokenStore contract: ${name}`, () => {
    const run = <A, E2>(effect: Effect.Effect<A, E2, TokenStore>) => effect.pipe(Effect.provide(makeLayer()))

    it.effect("is empty for an unknown key", () =>
      run(
        Effect.gen(function* () {
          expect(Option.isNone(yield* (yield* TokenStore).get("unknown-client"))).toBe(true)
        }),
      ),
    )

    it.effect("returns what was set, per key, and forgets on remove", () =>
      run(
        Effect.gen(function* () {
          const store = yield* TokenStore
          yield* store.set("client-a", { accessToken: Redacted.make("token-a"), expiresAt: 1_000 })
          yield* store.set("client-b", { accessToken: Redacted.make("token-b"), expiresAt: 2_000 })
          const a = yield* store.get("client-a")
          expect(Option.map(a, (token) => [Redacted.value(token.accessToken), token.expiresAt])).toEqual(
            Option.some(["token-a", 1_000]),
          )
          yield* store.set("client-a", { accessToken: Redacted.make("token-a2"), expiresAt: 3_000 })
          expect(
            Option.map(yield* store.get("client-a"), (token) => Redacted.value(token.accessToken)),
          ).toEqual(Option.some("token-a2"))
          yield* store.remove("client-a")
          expect(Option.isNone(yield* store.get("client-a"))).toBe(true)
          expect(Option.isSome(yield* store.get("client-b"))).toBe(true)
        }),
      ),
    )

    it.effect("never shows the token when printed", () =>
      run(
        Effect.gen(function* () {
          const store = yield* TokenStore
          yield* store.set("client-c", { accessToken: Redacted.make("secret-token-value"), expiresAt: 1 })
          const token = yield* store.get("client-c")
          expect(String(token)).not.toContain("secret-token-value")
          expect(JSON.stringify(token)).not.toContain("secret-token-value")
        }),
      ),
    )
  })
