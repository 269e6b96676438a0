import { type Delivery, startSimulator } from "@openpollen/simulator"
import { describe, expect, it } from "vitest"
import type { BotProcess } from "../e2e/harness/BotProcess.js"
import { botStatus } from "./support/botStatus.js"
import { expectExactlyOnce } from "./support/expectExactlyOnce.js"
import { startConnectedBot } from "./support/startConnectedBot.js"
import { token } from "./support/tokens.js"
import { waitForQuiet } from "./support/waitForQuiet.js"
import { waitForTokens } from "./support/waitForTokens.js"

const MESSAGES = 300

describe("fault: two bot instances on one app", () => {
  it("answers every message exactly once, and both instances answer some", async () => {
    // The simulator routes each push to one random live connection of the app, as DingTalk does.
    const sim = await startSimulator()
    const bots: Array<BotProcess> = []
    try {
      bots.push(...(await Promise.all([startConnectedBot(sim), startConnectedBot(sim)])))
      await sim.waitForConnections(2)
      const users = Array.from({ length: 30 }, (_, index) => sim.addUser({ nick: `双实例${index}` }))
      const conversations = users.map((user, index) =>
        index % 3 === 0 ? sim.group({ title: `双实例群${index}`, members: users }) : sim.dm(user),
      )
      const tokens: Array<string> = []
      const deliveries: Array<Delivery> = []
      for (let index = 0; index < MESSAGES; index += 1) {
        const from = users[index % users.length]
        const conversation = conversations[index % conversations.length]
        if (from === undefined || conversation === undefined) throw new Error("no conversation")
        const text = token("s7", index)
        tokens.push(text)
        deliveries.push(await sim.sendText(conversation, from, `谁来回答 ${text}`))
      }
      await waitForTokens(sim, tokens, 20_000)
      await Promise.all(deliveries.map((delivery) => delivery.acked))
      await waitForQuiet(sim, bots, { quietMs: 500, timeoutMs: 20_000 })
      expectExactlyOnce(sim, tokens)
      const replied = await Promise.all(
        bots.map(async (bot) => (await botStatus(bot)).messages?.replied ?? 0),
      )
      expect(
        replied.every((count) => count > 0),
        `replies per instance: ${replied.join(" / ")}`,
      ).toBe(true)
      expect(replied.reduce((sum, count) => sum + count, 0)).toBe(MESSAGES)
      expect(sim.counters.redeliveries).toBe(0)
    } finally {
      for (const bot of bots) await bot.stop()
      await sim.close()
    }
  }, 60_000)
})
