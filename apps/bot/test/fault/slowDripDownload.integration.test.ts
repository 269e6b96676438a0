import { startSimulator } from "@openpollen/simulator"
import { describe, expect, it } from "vitest"
import { botConfig } from "../e2e/harness/BotProcess.js"
import { startConnectedBot } from "./support/startConnectedBot.js"

const DRIPS = 4
const NORMAL = 12
/** The download's minimum-rate window (10 s) and the time for the apology to go out on a loaded machine. */
const APOLOGY_WITHIN_MS = 20_000

describe("fault: slow-drip downloads (one byte every 500 ms) beside normal traffic", () => {
  it("answers normal conversations promptly and apologises for each dripping download within the deadline", async () => {
    const sim = await startSimulator()
    // Few workers, so dripping downloads that held theirs for good would stop every other conversation.
    const bot = await startConnectedBot(
      sim,
      botConfig(sim, { maxConcurrentConversations: DRIPS + 2, download: { totalTimeoutMs: 30_000 } }),
    )
    try {
      sim.setFault("downloadUrl", { dripMs: 500, times: DRIPS })
      const started = Date.now()
      const drips = Array.from({ length: DRIPS }, (_, index) => {
        const user = sim.addUser({ nick: `滴水${index}` })
        return { user, dm: sim.dm(user) }
      })
      for (const { user, dm } of drips) await sim.sendPicture(dm, user, new Uint8Array(4_096).fill(7))
      const normal = Array.from({ length: NORMAL }, (_, index) => {
        const user = sim.addUser({ nick: `正常${index}` })
        return { user, dm: sim.dm(user) }
      })
      const answered = await Promise.all(
        normal.map(async ({ user, dm }, index) => {
          const sentAt = Date.now()
          await sim.sendText(dm, user, `正常消息 ${index}`)
          const reply = await sim.nextReply(dm.id, { timeoutMs: 5_000 })
          expect(reply.text).toContain(`正常消息 ${index}`)
          return Date.now() - sentAt
        }),
      )
      expect(Math.max(...answered)).toBeLessThan(5_000)
      for (const { dm } of drips) {
        const reply = await sim.nextReply(dm.id, { timeoutMs: APOLOGY_WITHIN_MS - (Date.now() - started) })
        expect(reply.text).toContain("没能下载下来")
      }
      expect(Date.now() - started).toBeLessThan(APOLOGY_WITHIN_MS)
    } finally {
      await bot.stop()
      await sim.close()
    }
  })
})
