import { type Delivery, startSimulator } from "@openpollen/simulator"
import { describe, expect, it } from "vitest"
import { until } from "../e2e/harness/BotProcess.js"
import { expectExactlyOnce } from "./support/expectExactlyOnce.js"
import { startConnectedBot } from "./support/startConnectedBot.js"
import { token } from "./support/tokens.js"
import { waitForQuiet } from "./support/waitForQuiet.js"
import { waitForTokens } from "./support/waitForTokens.js"

const OUTAGE_MS = 30_000
/**
 * The Stream backoff (1 s doubling, equal jitter, 60 s cap) has reached a 16–32 s step by the end of a 30 s outage,
 * so the first attempt after recovery may come up to 32 s later.
 */
const RECOVERY_BOUND_MS = 35_000
const REDELIVERY_MS = 2_000

describe("fault: the Stream gateway answers 503 for 30 s", () => {
  it("answers messages pushed before, during and right after the outage exactly once", async () => {
    // With no live connection the simulator keeps pushes queued and sends them to the next connection.
    const sim = await startSimulator({ redeliveryTimeoutMs: REDELIVERY_MS, maxRedeliveries: 10 })
    const bot = await startConnectedBot(sim)
    try {
      const users = Array.from({ length: 12 }, (_, index) => sim.addUser({ nick: `网关${index}` }))
      const conversations = users.map((user, index) =>
        index % 2 === 0 ? sim.dm(user) : sim.group({ title: `网关群${index}`, members: [user] }),
      )
      const tokens: Array<string> = []
      const deliveries: Array<Delivery> = []
      const push = async (family: string) => {
        const index = tokens.length
        const text = token(family, index)
        const user = users[index % users.length]
        const conversation = conversations[index % conversations.length]
        if (user === undefined || conversation === undefined) throw new Error("no conversation")
        tokens.push(text)
        deliveries.push(await sim.sendText(conversation, user, `网关测试 ${text}`))
        return text
      }

      const before = [await push("s3g"), await push("s3g"), await push("s3g")]
      await waitForTokens(sim, before, 10_000)

      sim.setFault("gateway", { status: 503 })
      const outageStart = Date.now()
      const opensBefore = sim.counters.gatewayOpens
      sim.kill()
      await until(() => sim.counters.liveConnections === 0, 5_000, "the connection to drop")
      const during: Array<string> = []
      while (Date.now() - outageStart < OUTAGE_MS) {
        during.push(await push("s3g"))
        await new Promise((resolve) => setTimeout(resolve, 1_000))
      }
      const repliesDuringOutage = sim.replies.length
      const failedOpens = sim.counters.gatewayOpens - opensBefore
      sim.clearFault("gateway")
      const recoveredAt = Date.now()
      for (let pushed = 0; pushed < 10; pushed += 1) await push("s3g")

      await waitForTokens(sim, tokens, RECOVERY_BOUND_MS + 10_000)
      const answeredAt = Date.now()
      await Promise.all(deliveries.map((delivery) => delivery.acked))
      await waitForQuiet(sim, [bot], { quietMs: REDELIVERY_MS + 500, timeoutMs: 20_000 })
      expectExactlyOnce(sim, tokens)
      // Nothing can be answered while no connection exists; the bot kept trying (with backoff) meanwhile.
      expect(repliesDuringOutage).toBe(before.length)
      expect(failedOpens).toBeGreaterThanOrEqual(4)
      expect(answeredAt - recoveredAt).toBeLessThan(RECOVERY_BOUND_MS)
      expect(during.length).toBeGreaterThanOrEqual(25)
      expect(bot.output()).toMatch(/gateway answered HTTP 503/)
    } finally {
      await bot.stop()
      await sim.close()
    }
  }, 150_000)
})
