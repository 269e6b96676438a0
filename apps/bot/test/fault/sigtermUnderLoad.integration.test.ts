import { startSimulator } from "@openpollen/simulator"
import { describe, expect, it } from "vitest"
import { botConfig, until } from "../e2e/harness/BotProcess.js"
import { expectExactlyOnce } from "./support/expectExactlyOnce.js"
import { startConnectedBot } from "./support/startConnectedBot.js"
import { startSlowModel } from "./support/startSlowModel.js"
import { token } from "./support/tokens.js"

const CONVERSATIONS = 60
const PER_CONVERSATION = 2
const ANSWER_MS = 1_000

describe("fault: SIGTERM while many replies are in flight", () => {
  it("delivers every reply in flight before exiting 0, within the bounded shutdown wait", async () => {
    const model = await startSlowModel({ delayMs: ANSWER_MS })
    const sim = await startSimulator()
    const config = {
      ...botConfig(sim, { maxConcurrentConversations: 128 }),
      agent: { provider: "openai", openai: { baseUrl: model.baseUrl, apiKey: "sk-fault-suite" } },
    }
    const bot = await startConnectedBot(sim, config)
    try {
      const tokens: Array<string> = []
      const deliveries = []
      for (let index = 0; index < CONVERSATIONS; index += 1) {
        const from = sim.addUser({ nick: `关机${index}` })
        const conversation =
          index % 2 === 0 ? sim.dm(from) : sim.group({ title: `关机群${index}`, members: [from] })
        for (let turn = 0; turn < PER_CONVERSATION; turn += 1) {
          const text = token("s6", tokens.length)
          tokens.push(text)
          deliveries.push(await sim.sendText(conversation, from, `关机前 ${text}`))
        }
      }
      // Every message received (ACKed) by the bot and as many answers begun as there are conversations: no
      // answer can have taken its full second yet, so at least one reply per conversation is still owed.
      await Promise.all(deliveries.map((delivery) => delivery.acked))
      await until(() => model.requests() >= CONVERSATIONS, 10_000, "an answer begun per conversation")
      const owedAtSignal = tokens.length - sim.replies.length

      const signalledAt = Date.now()
      process.kill(bot.pid, "SIGTERM")
      const exit = await bot.exited

      // start.ts announces its drain deadline (SHUTDOWN_WAIT_MS); the process must be gone within it.
      const waitSeconds = Number(/finishing replies in flight \(up to (\d+) s\)/.exec(bot.stdout())?.[1])
      expect(waitSeconds).toBeGreaterThan(0)
      expect(exit.code).toBe(0)
      expect(exit.at - signalledAt).toBeLessThan(waitSeconds * 1_000)
      expect(owedAtSignal).toBeGreaterThanOrEqual(CONVERSATIONS)
      expectExactlyOnce(sim, tokens)
      expect(sim.replies.filter((reply) => reply.receivedAt > exit.at)).toEqual([])
      expect(bot.output()).not.toMatch(/still in flight at the deadline/)
      expect(bot.stdout()).toMatch(/openpollen: stopped/)
      expect(sim.connections()).toHaveLength(0)
    } finally {
      await bot.stop()
      await sim.close()
      await model.close()
    }
  }, 60_000)
})
