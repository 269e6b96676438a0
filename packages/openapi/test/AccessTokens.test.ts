import { describe, expect, it } from "@effect/vitest"
import { MemoryTokenStore, TokenStore, TokenStoreError } from "@openpollen/core"
import { makeAccessTokens, type RefreshLock, resolveOpenApiConfig } from "@openpollen/openapi"
import { Deferred, Effect, Fiber, Option, Redacted } from "effect"
import { TestClock } from "effect/testing"

// The token endpoint is unreachable: a test passes only if no fetch is attempted.
const config = (refreshLock: RefreshLock) =>
  resolveOpenApiConfig({
    clientId: "ding-app",
    clientSecret: Redacted.make("secret"),
    apiBase: "http://127.0.0.1:9",
    requestTimeoutMs: 500,
    refreshLock,
  })

describe("AccessTokens with a refresh lock", () => {
  it.effect("fetches under the lock and takes the token another instance stored meanwhile", () =>
    Effect.gen(function* () {
      const store = yield* TokenStore
      const keys: Array<string> = []
      const lock: RefreshLock = (key, effect) =>
        Effect.gen(function* () {
          keys.push(key)
          yield* store.set("ding-app", { accessToken: Redacted.make("from-another"), expiresAt: 9e15 })
          return yield* effect
        })
      const tokens = yield* makeAccessTokens(config(lock))
      expect(Redacted.value(yield* tokens.get)).toBe("from-another")
      expect(keys).toEqual(["token:ding-app"])
    }).pipe(Effect.provide(MemoryTokenStore.layer)),
  )

  it.effect("a lock that cannot be taken fails the get as a retryable store problem", () =>
    Effect.gen(function* () {
      const lock: RefreshLock = () => Effect.fail(new TokenStoreError({ message: "lock busy" }))
      const tokens = yield* makeAccessTokens(config(lock))
      const error = yield* Effect.flip(tokens.get)
      expect(error).toMatchObject({ reason: "store", retryable: true, message: "lock busy" })
    }).pipe(Effect.provide(MemoryTokenStore.layer)),
  )
})

describe("AccessTokens single flight", () => {
  it.effect(
    "a caller whose refresh is interrupted leaves the others waiting for the same refresh, not forever",
    () =>
      Effect.gen(function* () {
        const store = yield* TokenStore
        const release = yield* Deferred.make<void>()
        let fetches = 0
        // The lock stands in for the slow part of a refresh: it holds until the test lets it go.
        const lock: RefreshLock = (_key, effect) =>
          Effect.gen(function* () {
            fetches += 1
            yield* Deferred.await(release)
            yield* store.set("ding-app", { accessToken: Redacted.make("fresh"), expiresAt: 9e15 })
            return yield* effect
          })
        const tokens = yield* makeAccessTokens(config(lock))
        const owner = yield* Effect.forkChild(tokens.get)
        yield* Effect.yieldNow
        const waiter = yield* Effect.forkChild(tokens.get)
        yield* Effect.yieldNow
        yield* Fiber.interrupt(owner)
        yield* Deferred.succeed(release, undefined)
        const waited = yield* Effect.forkChild(Fiber.join(waiter).pipe(Effect.timeoutOption("5 seconds")))
        yield* TestClock.adjust("5 seconds")
        const token = yield* Fiber.join(waited)
        expect(Option.map(token, Redacted.value)).toEqual(Option.some("fresh"))
        expect(fetches).toBe(1)
      }).pipe(Effect.provide(MemoryTokenStore.layer)),
  )
})
