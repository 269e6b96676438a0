import { type Delivery, type SimConversation, type SimUser, startSimulator } from "@openpollen/simulator"
import { describe, expect, it } from "vitest"
import { expectExactlyOnce } from "./support/expectExactlyOnce.js"
import { startConnectedBot } from "./support/startConnectedBot.js"
import { token } from "./support/tokens.js"
import { waitForQuiet } from "./support/waitForQuiet.js"
import { waitForTokens } from "./support/waitForTokens.js"

const RUN_MS = 60_000
const KILL_EVERY_MS = 5_000
const SEND_EVERY_MS = 75
const REDELIVERY_MS = 1_500

describe("fault: the Stream connection killed every 5 s for 60 s", () => {
  it("answers every message flowing meanwhile exactly once", async () => {
    // A frame written to a socket that is killed before the bot reads it is lost; DingTalk pushes it again.
    const sim = await startSimulator({ redeliveryTimeoutMs: REDELIVERY_MS, maxRedeliveries: 20 })
    const bot = await startConnectedBot(sim)
    try {
      const members: Array<SimUser> = Array.from({ length: 24 }, (_, index) =>
        sim.addUser({ nick: `成员${index}` }),
      )
      const conversations: Array<{ conversation: SimConversation; from: SimUser }> = members.map(
        (user, index) => ({
          conversation:
            index % 3 === 0 ? sim.group({ title: `值班群${index}`, members: [user] }) : sim.dm(user),
          from: user,
        }),
      )
      const tokens: Array<string> = []
      const deliveries: Array<Promise<Delivery>> = []
      const startedAt = Date.now()
      const opened = sim.counters.connectionsOpened
      const killer = setInterval(() => sim.kill(), KILL_EVERY_MS)
      try {
        while (Date.now() - startedAt < RUN_MS) {
          const text = token("s2", tokens.length)
          const target = conversations[tokens.length % conversations.length]
          if (target === undefined) throw new Error("no conversation")
          tokens.push(text)
          deliveries.push(sim.sendText(target.conversation, target.from, `第${tokens.length}条 ${text}`))
          await new Promise((resolve) => setTimeout(resolve, SEND_EVERY_MS))
        }
      } finally {
        clearInterval(killer)
      }
      const kills = Math.floor(RUN_MS / KILL_EVERY_MS) - 1
      await waitForTokens(sim, tokens, 20_000)
      await Promise.all((await Promise.all(deliveries)).map((delivery) => delivery.acked))
      await waitForQuiet(sim, [bot], { quietMs: REDELIVERY_MS + 500, timeoutMs: 20_000 })
      expectExactlyOnce(sim, tokens)
      expect(tokens.length).toBeGreaterThan(500)
      expect(sim.counters.connectionsOpened - opened).toBeGreaterThanOrEqual(kills)
    } finally {
      await bot.stop()
      await sim.close()
    }
  }, 120_000)
})
