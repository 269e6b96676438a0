import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { type RedisServer, startRedisServer } from "@openpollen/redis/testing"
import { type Simulator, startSimulator } from "@openpollen/simulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BotProcess, botConfig, startBot, until } from "../e2e/harness/BotProcess.js"
import { botStatus } from "../fault/support/botStatus.js"

interface ChatMessage {
  readonly role: string
  readonly content: unknown
}

interface ModelCall {
  readonly messages: ReadonlyArray<ChatMessage>
  readonly startedAt: number
  answeredAt: number
}

/** An OpenAI-compatible endpoint that records every request and answers `答：<last user text>` after `delayMs`. */
const startRecordingModel = () =>
  new Promise<{
    readonly url: string
    readonly requests: Array<ReadonlyArray<ChatMessage>>
    readonly calls: Array<ModelCall>
    readonly setDelay: (ms: number) => void
    readonly close: () => Promise<void>
  }>((resolve) => {
    const requests: Array<ReadonlyArray<ChatMessage>> = []
    const calls: Array<ModelCall> = []
    let delayMs = 0
    const server: Server = createServer((request, response) => {
      let body = ""
      request.on("data", (chunk: Buffer) => {
        body += chunk.toString()
      })
      request.on("end", () => {
        const parsed = JSON.parse(body) as { messages: Array<ChatMessage>; stream?: boolean }
        const messages = parsed.messages
        requests.push(messages)
        const call: ModelCall = { messages, startedAt: Date.now(), answeredAt: Number.POSITIVE_INFINITY }
        calls.push(call)
        const question = messages.at(-1)?.content
        setTimeout(() => {
          call.answeredAt = Date.now()
          const answer = `答：${String(question)}`
          if (parsed.stream === true) {
            const event = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`
            response.writeHead(200, { "content-type": "text/event-stream" })
            response.end(
              `${event({ choices: [{ index: 0, delta: { role: "assistant", content: answer } }] })}${event({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}data: [DONE]\n\n`,
            )
            return
          }
          response.writeHead(200, { "content-type": "application/json" })
          response.end(JSON.stringify({ choices: [{ message: { role: "assistant", content: answer } }] }))
        }, delayMs)
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}/v1`,
        requests,
        calls,
        setDelay: (ms) => {
          delayMs = ms
        },
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          }),
      })
    })
  })

describe("two bot instances sharing the agent's history through Redis", () => {
  let redis: RedisServer
  let sim: Simulator
  let model: Awaited<ReturnType<typeof startRecordingModel>>
  const bots: Array<BotProcess> = []

  beforeAll(async () => {
    redis = await startRedisServer()
    model = await startRecordingModel()
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
      agent: { provider: "openai", openai: { baseUrl: model.url, model: "recorder", timeoutMs: 10_000 } },
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
    expect(model.requests).toHaveLength(2)
    expect(model.requests[1]).toEqual([
      { role: "user", content: "我的名字是小明" },
      { role: "assistant", content: "答：我的名字是小明" },
      { role: "user", content: "我叫什么名字？" },
    ])

    await sim.sendText(dm, user, "/reset")
    await sim.nextReply(dm.id, { timeoutMs: 15_000 })
    await sim.sendText(dm, user, "你好")
    await sim.nextReply(dm.id, { timeoutMs: 15_000 })
    expect(model.requests.at(-1)).toEqual([{ role: "user", content: "你好" }])
    expect(b.output()).not.toContain(new URL(redis.url).password)
  }, 90_000)

  it("two messages of one conversation on two instances at once: the agent runs for one at a time, the later sees the earlier", async () => {
    const config = {
      ...botConfig(sim),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
      store: { kind: "redis", url: "${REDIS_URL}", leaseMs: 6_000 },
      agent: { provider: "openai", openai: { baseUrl: model.url, model: "recorder", timeoutMs: 10_000 } },
    }
    await Promise.all(bots.splice(0).map((bot) => bot.stop()))
    await until(() => sim.connections().length === 0, 15_000, "earlier instances to disconnect")
    for (let index = 0; index < 2; index++) {
      bots.push(await startBot(sim, config, { REDIS_URL: redis.url }))
      await sim.waitForConnections(index + 1, { timeoutMs: 15_000 })
    }
    model.setDelay(400)
    model.calls.length = 0
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

    const textOf = (message: ChatMessage | undefined) => String(message?.content)
    for (const chat of chats) {
      const calls = model.calls
        .filter((call) => textOf(call.messages.at(-1)).startsWith(`${chat.tag} `))
        .sort((a, b) => a.startedAt - b.startedAt)
      expect(calls).toHaveLength(2)
      const [earlier, later] = calls
      if (earlier === undefined || later === undefined) throw new Error("no calls")
      expect(later.startedAt, `${chat.tag}: the agent ran twice at once`).toBeGreaterThanOrEqual(
        earlier.answeredAt,
      )
      expect(later.messages.map(textOf)).toEqual([
        textOf(earlier.messages.at(-1)),
        `答：${textOf(earlier.messages.at(-1))}`,
        textOf(later.messages.at(-1)),
      ])
    }
    const replied = await Promise.all(bots.map(async (bot) => (await botStatus(bot)).messages?.replied ?? 0))
    expect(
      replied.every((count) => count > 0),
      `replies per instance: ${replied.join(" / ")}`,
    ).toBe(true)
  }, 90_000)
})
