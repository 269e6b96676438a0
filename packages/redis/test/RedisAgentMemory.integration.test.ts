import { describe, expect, it } from "@effect/vitest"
import { AgentMemory } from "@openpollen/core"
import { RedisAgentMemory, RedisConnection } from "@openpollen/redis"
import { Effect, Layer } from "effect"
import { buildService, connectionLayer, freshPrefix } from "./redisHarness.js"

const instance = (prefix: string, idleTtlMs?: number) =>
  buildService(
    AgentMemory,
    RedisAgentMemory.layer(idleTtlMs === undefined ? {} : { idleTtlMs }).pipe(
      Layer.provide(connectionLayer(prefix)),
    ),
  )

describe("RedisAgentMemory across instances", () => {
  it.live("one instance sees the turns another appended, in one list under the key prefix", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const [a, b] = [yield* instance(prefix), yield* instance(prefix)]
      yield* a.append(
        "dm:user-1",
        [
          { role: "user", text: "我叫小明" },
          { role: "assistant", text: "你好小明" },
        ],
        20,
      )
      yield* b.append(
        "dm:user-1",
        [
          { role: "user", text: "我叫什么？" },
          { role: "assistant", text: "小明" },
        ],
        20,
      )
      expect((yield* a.load("dm:user-1")).map((turn) => turn.text)).toEqual([
        "我叫小明",
        "你好小明",
        "我叫什么？",
        "小明",
      ])
      const redis = yield* buildService(RedisConnection, connectionLayer(prefix))
      expect(yield* redis.run("llen", (client) => client.lLen(`${prefix}agent-memory:dm:user-1`))).toBe(4)
      yield* b.reset("dm:user-1")
      expect(yield* a.load("dm:user-1")).toEqual([])
    }),
  )

  it.live("a session lives its idle TTL from the last append, then Redis drops it", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const redis = yield* buildService(RedisConnection, connectionLayer(prefix))
      const week = yield* instance(prefix)
      yield* week.append("dm:ttl", [{ role: "user", text: "x" }], 20)
      const ttl = yield* redis.run("pttl", (client) => client.pTTL(`${prefix}agent-memory:dm:ttl`))
      expect(ttl).toBeGreaterThan(7 * 86_400_000 - 60_000)
      expect(ttl).toBeLessThanOrEqual(7 * 86_400_000)
      const short = yield* instance(prefix, 2_000)
      yield* short.append("dm:short", [{ role: "user", text: "x" }], 20)
      yield* Effect.sleep("1200 millis")
      yield* short.append("dm:short", [{ role: "assistant", text: "y" }], 20)
      yield* Effect.sleep("1200 millis")
      expect((yield* short.load("dm:short")).length).toBe(2)
      yield* Effect.sleep("1500 millis")
      expect(yield* short.load("dm:short")).toEqual([])
    }),
  )

  it.live("skips a stored item that does not decode, never failing the load", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const memory = yield* instance(prefix)
      const redis = yield* buildService(RedisConnection, connectionLayer(prefix))
      yield* memory.append("dm:bad", [{ role: "user", text: "ok" }], 20)
      yield* redis.run("rpush", (client) =>
        client.rPush(`${prefix}agent-memory:dm:bad`, ["not json", '{"role":"system","text":"x"}']),
      )
      expect(yield* memory.load("dm:bad")).toEqual([{ role: "user", text: "ok" }])
    }),
  )
})
