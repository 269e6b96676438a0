import { performance } from "node:perf_hooks"
import type { Simulator } from "@openpollen/simulator"
import type { RunningBot } from "../bots.js"
import { type Chat, type ReplyTracker, sleep, within } from "../ReplyTracker.js"
import { median } from "../stats.js"

const settle = async (sim: Simulator, bot: RunningBot) => {
  const deadline = Date.now() + 30_000
  while (sim.connections(bot.app.clientId).length !== 1) {
    if (Date.now() > deadline) throw new Error(`the ${bot.kind} bot did not settle on one connection`)
    await sleep(20)
  }
  await sim.waitForConnections(1, { clientId: bot.app.clientId, timeoutMs: 30_000 })
}

/**
 * SYSTEM disconnect on the bot's connection, then at once a message: the gap is from the disconnect until that
 * message is answered. The simulator routes nothing to a connection it asked to disconnect, so the message waits for
 * the bot's next connection. Median of `iterations`.
 */
export const measureReconnectGap = async (
  sim: Simulator,
  tracker: ReplyTracker,
  bot: RunningBot,
  chat: Chat,
  iterations: number,
): Promise<number> => {
  const gaps: Array<number> = []
  for (let iteration = 0; iteration < iterations; iteration++) {
    await settle(sim, bot)
    const disconnectedAt = performance.now()
    for (const connection of sim.connections(bot.app.clientId))
      sim.disconnect(connection.id, "bench rotation")
    await within(tracker.send(bot.app, chat).answered, 60_000, `${bot.kind} after a disconnect`)
    gaps.push(performance.now() - disconnectedAt)
  }
  await settle(sim, bot)
  return median(gaps)
}
