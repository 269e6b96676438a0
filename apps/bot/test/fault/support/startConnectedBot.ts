import type { Simulator } from "@openpollen/simulator"
import { type BotProcess, botConfig, startBot } from "../../e2e/harness/BotProcess.js"

/** Starts `openpollen start` against the simulator and waits (generously, for a loaded machine) until it is connected. */
export const startConnectedBot = async (
  sim: Simulator,
  config: Record<string, unknown> = botConfig(sim),
  env: Record<string, string> = {},
): Promise<BotProcess> => {
  const bot = await startBot(sim, config, env)
  try {
    await bot.waitFor(/dingtalk: connected/, 30_000)
  } catch (error) {
    await bot.stop()
    throw error
  }
  return bot
}
