import { describe, expect, it } from "@effect/vitest"
import { ConversationStore } from "@openpollen/core"
import { RedisConnection, RedisConversationStore } from "@openpollen/redis"
import { Clock, Effect, Layer, Option } from "effect"
import { buildService, connectionLayer, freshPrefix } from "./redisHarness.js"

const instance = (prefix: string) =>
  buildService(ConversationStore, RedisConversationStore.layer.pipe(Layer.provide(connectionLayer(prefix))))
const webhook = (n: number) => `https://oapi.dingtalk.com/robot/sendBySession?session=s${n}`

describe("RedisConversationStore across instances", () => {
  it.live("any instance answers with the route another one remembered", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const [a, b] = [yield* instance(prefix), yield* instance(prefix)]
      const expiresAt = (yield* Clock.currentTimeMillis) + 5_400_000
      yield* a.remember("robot:cid1==", { sessionWebhook: webhook(1), expiresAt })
      expect(yield* b.latest("robot:cid1==")).toEqual(Option.some({ sessionWebhook: webhook(1), expiresAt }))
    }),
  )

  it.live("instances racing to remember keep the route that expires last", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const instances = yield* Effect.all(Array.from({ length: 4 }, () => instance(prefix)))
      const now = yield* Clock.currentTimeMillis
      yield* Effect.all(
        Array.from({ length: 40 }, (_, n) =>
          instances[n % instances.length]!.remember("robot:cid2==", {
            sessionWebhook: webhook(n),
            expiresAt: now + 60_000 + ((n * 7) % 40) * 1_000,
          }),
        ),
        { concurrency: "unbounded" },
      )
      const winner = Array.from({ length: 40 }, (_, n) => n).reduce((best, n) =>
        (n * 7) % 40 > (best * 7) % 40 ? n : best,
      )
      expect(
        Option.map(yield* instances[0]!.latest("robot:cid2=="), (route) => route.sessionWebhook),
      ).toEqual(Option.some(webhook(winner)))
    }),
  )

  it.live("Redis drops a route when its webhook expires", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const store = yield* instance(prefix)
      yield* store.remember("robot:cid3==", {
        sessionWebhook: webhook(3),
        expiresAt: (yield* Clock.currentTimeMillis) + 200,
      })
      expect(Option.isSome(yield* store.latest("robot:cid3=="))).toBe(true)
      yield* Effect.sleep("300 millis")
      const redis = yield* buildService(RedisConnection, connectionLayer(prefix))
      expect(
        yield* redis.run("exists", (client) => client.exists(`${prefix}conversation:robot:cid3==`)),
      ).toBe(0)
      expect(Option.isNone(yield* store.latest("robot:cid3=="))).toBe(true)
    }),
  )
})
