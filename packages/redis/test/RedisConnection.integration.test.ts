import { describe, expect, it } from "@effect/vitest"
import { DedupeStore, DedupeStoreError, TokenStore, TokenStoreError } from "@openpollen/core"
import { RedisConnection, RedisDedupeStore, RedisStores, RedisTokenStore } from "@openpollen/redis"
import { Context, Effect, Layer, Logger, Redacted, References, Schedule } from "effect"
import { freshPrefix, redisPassword, redisUrl } from "./redisHarness.js"
import { freePort, startRedisServer } from "./setup/redisServer.js"

const leaks = (error: unknown, secret: string) =>
  String(error).includes(secret) || JSON.stringify(error).includes(secret)

describe("RedisConnection failures", () => {
  it.live(
    "Redis unreachable: the layer fails with RedisUnavailable naming host:port, never the password",
    () =>
      Effect.gen(function* () {
        const port = yield* Effect.promise(freePort)
        const error = yield* Effect.flip(
          Layer.build(
            RedisStores.layer({
              url: Redacted.make(`redis://:hunter2-secret@127.0.0.1:${port}`),
              connectTimeoutMs: 300,
            }),
          ),
        )
        expect(error._tag).toBe("RedisUnavailable")
        expect(error.reason).toBe("unreachable")
        expect(error.where).toBe(`127.0.0.1:${port}`)
        expect(error.message).toContain(`127.0.0.1:${port}`)
        expect(error.message).toContain("ECONNREFUSED")
        expect(leaks(error, "hunter2-secret")).toBe(false)
      }),
  )

  it.live("a wrong password fails at once as an auth error that shows neither password", () =>
    Effect.gen(function* () {
      const url = new URL(redisUrl())
      url.password = "wrong-password-42"
      const started = Date.now()
      const error = yield* Effect.flip(
        Layer.build(RedisConnection.layer({ url: url.href, connectTimeoutMs: 5_000 })),
      )
      expect(Date.now() - started).toBeLessThan(2_000)
      expect(error.reason).toBe("auth")
      expect(error.message).toContain(`${url.hostname}:${url.port}`)
      expect(leaks(error, "wrong-password-42")).toBe(false)
      expect(leaks(error, redisPassword())).toBe(false)
    }),
  )

  it.live("a URL that is not redis:// is refused without being echoed", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Layer.build(RedisConnection.layer({ url: "http://admin:pa55word@example" })),
      )
      expect(error.reason).toBe("invalid-url")
      expect(leaks(error, "pa55word")).toBe(false)
    }),
  )

  it.live(
    "Redis dying mid-run: calls fail with the ports' typed errors, and the stores recover when it is back",
    () => {
      const logged: Array<string> = []
      const capture = Logger.make(({ message, fiber }) => {
        logged.push(JSON.stringify({ message, annotations: fiber.getRef(References.CurrentLogAnnotations) }))
      })
      return Effect.gen(function* () {
        const server = yield* Effect.acquireRelease(
          Effect.promise(() => startRedisServer()),
          (started) => Effect.promise(() => started.stop()),
        )
        const context = yield* Layer.build(
          Layer.mergeAll(RedisDedupeStore.layer(), RedisTokenStore.layer).pipe(
            Layer.provide(
              RedisConnection.layer({ url: Redacted.make(server.url), keyPrefix: freshPrefix() }),
            ),
          ),
        )
        const dedupe = Context.get(context, DedupeStore)
        const tokens = Context.get(context, TokenStore)
        expect(yield* dedupe.claim("robot:before")).toBe("claimed")

        yield* Effect.promise(() => server.stop())
        const claimError = yield* Effect.flip(dedupe.claim("robot:during"))
        expect(claimError).toBeInstanceOf(DedupeStoreError)
        expect(claimError.message).toContain(`127.0.0.1:${server.port}`)
        expect(leaks(claimError, server.password)).toBe(false)
        const tokenError = yield* Effect.flip(tokens.get("app"))
        expect(tokenError).toBeInstanceOf(TokenStoreError)
        expect(leaks(tokenError, server.password)).toBe(false)

        yield* Effect.acquireRelease(
          Effect.promise(() => startRedisServer({ port: server.port, password: server.password })),
          (restarted) => Effect.promise(() => restarted.stop()),
        )
        const claim = yield* dedupe
          .claim("robot:during")
          .pipe(Effect.retry({ schedule: Schedule.spaced("100 millis"), times: 60 }))
        expect(claim).toBe("claimed")
        expect(logged.some((line) => line.includes("redis connection lost"))).toBe(true)
        expect(logged.some((line) => line.includes(server.password))).toBe(false)
      }).pipe(Effect.provide(Logger.layer([capture])))
    },
  )
})
