import { RedisConnection } from "@openpollen/redis"
import { type RedisServer, startRedisServer } from "@openpollen/redis/testing"
import { type Simulator, startSimulator } from "@openpollen/simulator"
import { Context, Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BotProcess, botConfig } from "../e2e/harness/BotProcess.js"
import { startConnectedBot } from "./support/startConnectedBot.js"

const flushAll = (url: string) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const context = yield* Layer.build(RedisConnection.layer({ url }))
        yield* Context.get(context, RedisConnection).run("flushall", (client) => client.flushAll())
      }),
    ),
  )

describe("fault: Redis loses its data, then goes away", () => {
  let redis: RedisServer
  let sim: Simulator
  let bot: BotProcess

  beforeAll(async () => {
    redis = await startRedisServer()
    sim = await startSimulator({ redeliveryTimeoutMs: 2_000, maxRedeliveries: 10 })
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
    const store = { kind: "redis", url: "${REDIS_URL}", leaseMs: 3_000 }
    bot = await startConnectedBot(sim, { ...botConfig(sim), store }, { REDIS_URL: redis.url })
  })
  afterAll(async () => {
    await bot?.stop()
    await sim?.close()
    await redis?.stop()
  })

  it("answers again within 5 s of a FLUSHALL mid-run", async () => {
    const user = sim.addUser({ nick: "清空前" })
    const dm = sim.dm(user)
    await sim.sendText(dm, user, "before the flush")
    expect((await sim.nextReply(dm.id, { timeoutMs: 10_000 })).text).toContain("before the flush")
    await flushAll(redis.url)
    const flushedAt = Date.now()
    await sim.sendText(dm, user, "after the flush")
    const reply = await sim.nextReply(dm.id, { timeoutMs: 5_000 })
    expect(reply.text).toContain("after the flush")
    expect(Date.now() - flushedAt).toBeLessThan(5_000)
    expect(await (await fetch(`${bot.gatewayUrl}/health`)).json()).toMatchObject({ ok: true })
  })

  it("reports unhealthy (503, with the reason) on /health while Redis is down", async () => {
    await redis.stop()
    let last: { status: number; body: { ok?: boolean; store?: string } } = { status: 0, body: {} }
    const deadline = Date.now() + 10_000
    while (last.status !== 503 && Date.now() < deadline) {
      const response = await fetch(`${bot.gatewayUrl}/health`)
      last = { status: response.status, body: (await response.json()) as typeof last.body }
      if (last.status !== 503) await new Promise((resolve) => setTimeout(resolve, 200))
    }
    expect(last.status).toBe(503)
    expect(last.body.ok).toBe(false)
    expect(last.body.store).toMatch(/cannot record messages/)
    expect(JSON.stringify(last.body)).not.toContain(redis.password)
  })
})
