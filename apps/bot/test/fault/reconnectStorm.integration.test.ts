import { startSimulator } from "@openpollen/simulator"
import { describe, expect, it } from "vitest"
import { startConnectedBot } from "./support/startConnectedBot.js"

const STORM_MS = 12_000

describe("fault: every Stream connection dies right after its handshake", () => {
  it("keeps gateway calls under one per second after the first few, and reconnects once it stops", async () => {
    const sim = await startSimulator()
    const bot = await startConnectedBot(sim)
    try {
      sim.setFault("upgrade", { dropAfterOpen: true })
      const before = sim.counters.gatewayOpens
      const startedAt = Date.now()
      const calls: Array<number> = []
      const sampler = setInterval(() => calls.push(sim.counters.gatewayOpens - before), 250)
      sim.kill()
      await new Promise((resolve) => setTimeout(resolve, STORM_MS))
      clearInterval(sampler)
      const total = sim.counters.gatewayOpens - before
      // Each call carries the client secret: a reset backoff here meant hundreds per second.
      const afterFirstFew = total - Math.min(total, 4)
      expect(total).toBeGreaterThanOrEqual(3)
      expect(afterFirstFew / ((Date.now() - startedAt) / 1000)).toBeLessThan(1)
      const lastSeconds = total - (calls[calls.length - 1 - 4 * 6] ?? 0)
      expect(lastSeconds).toBeLessThan(6)
      expect(bot.output()).toContain("reconnecting after a pause")
      sim.clearFault("upgrade")
      await sim.waitForConnections(1, { timeoutMs: 40_000 })
    } finally {
      await bot.stop()
      await sim.close()
    }
  }, 90_000)
})
