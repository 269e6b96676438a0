import { describe, expect, it } from "@effect/vitest"
import { TokenStore } from "@openpollen/core"
import { RedisConnection, RedisTokenStore } from "@openpollen/redis"
import { Clock, Effect, Layer, Logger, Option, Redacted } from "effect"
import { buildService, connectionLayer, freshPrefix } from "./redisHarness.js"

const instance = (prefix: string) =>
  buildService(TokenStore, RedisTokenStore.layer.pipe(Layer.provide(connectionLayer(prefix))))
const rawClient = (prefix: string) => buildService(RedisConnection, connectionLayer(prefix))

describe("RedisTokenStore across instances", () => {
  it.live("one token is shared by every instance, and removed for all", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const [a, b] = [yield* instance(prefix), yield* instance(prefix)]
      const expiresAt = (yield* Clock.currentTimeMillis) + 7_200_000
      yield* a.set("app", { accessToken: Redacted.make("shared-token"), expiresAt })
      expect(
        Option.map(yield* b.get("app"), (token) => [Redacted.value(token.accessToken), token.expiresAt]),
      ).toEqual(Option.some(["shared-token", expiresAt]))
      yield* b.remove("app")
      expect(Option.isNone(yield* a.get("app"))).toBe(true)
    }),
  )

  it.live("Redis forgets an entry a day after its token expires", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const store = yield* instance(prefix)
      const now = yield* Clock.currentTimeMillis
      yield* store.set("app", { accessToken: Redacted.make("t"), expiresAt: now + 7_200_000 })
      const ttl = yield* (yield* rawClient(prefix)).run("pttl", (client) => client.pTTL(`${prefix}token:app`))
      expect(ttl).toBeGreaterThan(7_200_000 + 86_400_000 - 60_000)
      expect(ttl).toBeLessThanOrEqual(7_200_000 + 86_400_000)
    }),
  )

  it.live("an unreadable value counts as absent, and the warning leaves its contents out", () => {
    const logged: Array<string> = []
    const capture = Logger.make(({ message }) => {
      logged.push(JSON.stringify(message))
    })
    return Effect.gen(function* () {
      const prefix = freshPrefix()
      yield* (yield* rawClient(prefix)).run("plant", (client) =>
        client.set(`${prefix}token:app`, '{"accessToken":"leaked-secret-token","expiresAt":"soon"}'),
      )
      const store = yield* instance(prefix)
      expect(Option.isNone(yield* store.get("app"))).toBe(true)
      expect(logged.length).toBeGreaterThan(0)
      expect(logged.join("\n")).not.toContain("leaked-secret-token")
    }).pipe(Effect.provide(Logger.layer([capture])))
  })
})
