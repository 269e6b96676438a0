import { type RedisServer, startRedisServer } from "@openpollen/redis/testing"
import { type Simulator, startSimulator } from "@openpollen/simulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BotProcess, botConfig, startBot, until } from "../e2e/harness/BotProcess.js"
import { botStatus } from "../fault/support/botStatus.js"
import { startSlowModel } from "../fault/support/startSlowModel.js"

describe("two bot instances sharing the agent's history through Redis", () => {
  let redis: RedisServer
  let sim: Simulator
  let model: Awaited<ReturnType<typeof startSlowModel>>
  const bots: Array<BotProcess> = []

  beforeAll(async () => {
    redis = await startRedisServer()
    model = await startSlowModel({ delayMs: 0, answerPrefix: "答：" })
    sim = await startSimulator()
  })

  afterAll(async () => {
    await Promise.all(bots.map((bot) => bot.stop()))
    await sim?.close()
    await model?.close()
    await redis?.stop()
  })

  it("the instance answering turn 2 sends the model turn 1, which another instance answered; /reset clears it for all", async () => {
    const config = {
      ...botConfig(sim),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
      store: { kind: "redis", url: "${REDIS_URL}", leaseMs: 6_000 },
      agent: { provider: "openai", openai: { baseUrl: model.baseUrl, model: "recorder", timeoutMs: 10_000 } },
    }
    const start = async () => {
      const before = sim.connections().length
      const bot = await startBot(sim, config, { REDIS_URL: redis.url })
      bots.push(bot)
      await sim.waitForConnections(before + 1, { timeoutMs: 15_000 })
      return bot
    }
    const user = sim.addUser({ nick: "小明" })
    const dm = sim.dm(user)

    const a = await start()
    await sim.sendText(dm, user, "我的名字是小明")
    expect((await sim.nextReply(dm.id, { timeoutMs: 15_000 })).text).toContain("答：我的名字是小明")

    const b = await start()
    await a.stop()
    await until(() => sim.connections().length === 1, 15_000, "instance A's connection to close")

    await sim.sendText(dm, user, "我叫什么名字？")
    expect((await sim.nextReply(dm.id, { timeoutMs: 15_000 })).text).toContain("答：我叫什么名字？")
    expect(model.transcripts()).toHaveLength(2)
    expect(model.transcripts()[1]).toEqual([
      { role: "user", text: "我的名字是小明" },
      { role: "assistant", text: "答：我的名字是小明" },
      { role: "user", text: "我叫什么名字？" },
    ])

    await sim.sendText(dm, user, "/reset")
    await sim.nextReply(dm.id, { timeoutMs: 15_000 })
    await sim.sendText(dm, user, "你好")
    await sim.nextReply(dm.id, { timeoutMs: 15_000 })
    expect(model.transcripts().at(-1)).toEqual([{ role: "user", text: "你好" }])
    expect(b.output()).not.toContain(new URL(redis.url).password)
  }, 90_000)

  it("two messages of one conversation on two instances at once: the agent runs for one at a time, the later sees the earlier", async () => {
    const config = {
      ...botConfig(sim),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
      store: { kind: "redis", url: "${REDIS_URL}", leaseMs: 6_000 },
      agent: { provider: "openai", openai: { baseUrl: model.baseUrl, model: "recorder", timeoutMs: 10_000 } },
    }
    await Promise.all(bots.splice(0).map((bot) => bot.stop()))
    await until(() => sim.connections().length === 0, 15_000, "earlier instances to disconnect")
    for (let index = 0; index < 2; index++) {
      bots.push(await startBot(sim, config, { REDIS_URL: redis.url }))
      await sim.waitForConnections(index + 1, { timeoutMs: 15_000 })
    }
    model.setDelay(400)
    const callsBefore = model.requests()
    const CONVERSATIONS = 12
    const chats = Array.from({ length: CONVERSATIONS }, (_, index) => {
      const from = sim.addUser({ nick: `并发${index}` })
      return { from, dm: sim.dm(from), tag: `c${index}` }
    })
    const repliesBefore = sim.replies.length
    await Promise.all(
      chats.flatMap((chat) => [
        sim.sendText(chat.dm, chat.from, `${chat.tag} 第一条`),
        sim.sendText(chat.dm, chat.from, `${chat.tag} 第二条`),
      ]),
    )
    await until(
      () => sim.replies.length >= repliesBefore + CONVERSATIONS * 2,
      60_000,
      "every message answered",
    )

    const question = (call: { readonly turns: ReadonlyArray<{ readonly text: string }> }) =>
      call.turns.at(-1)?.text ?? ""
    for (const chat of chats) {
      const calls = model
        .calls()
        .slice(callsBefore)
        .filter((call) => question(call).startsWith(`${chat.tag} `))
        .sort((a, b) => a.startedAt - b.startedAt)
      expect(calls).toHaveLength(2)
      const [earlier, later] = calls
      if (earlier === undefined || later === undefined) throw new Error("no calls")
      expect(later.startedAt, `${chat.tag}: the agent ran twice at once`).toBeGreaterThanOrEqual(
        earlier.answeredAt,
      )
      expect(later.turns.map((turn) => turn.text)).toEqual([
        question(earlier),
        `答：${question(earlier)}`,
        question(later),
      ])
    }
    const replied = await Promise.all(bots.map(async (bot) => (await botStatus(bot)).messages?.replied ?? 0))
    expect(
      replied.every((count) => count > 0),
      `replies per instance: ${replied.join(" / ")}`,
    ).toBe(true)
  }, 90_000)
})
