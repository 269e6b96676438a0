import type { ResolvedConfig } from "../config/ResolvedConfig.js"
import { readRunState, runStatePath } from "../runState/index.js"

/** Why the CLI found no running bot: where it looked, and a run-state file left by a bot that has exited. */
export const missingBot = (config: ResolvedConfig): string => {
  const published = readRunState(config.store.stateDir)
  const path = runStatePath(config.store.stateDir)
  switch (published._tag) {
    case "Running":
      return `the bot (pid ${published.state.pid}) does not answer at ${published.state.gatewayUrl}`
    case "Stale":
      return `the bot is not running: ${path} is left from pid ${published.state.pid}, which has exited; start it with: openpollen start`
    case "Unreadable":
      return `the bot's run-state file ${path} cannot be read, and nothing answers at ${config.gateway.host}:${config.gateway.port}`
    default:
      return `the bot is not running (no ${path}, no gateway API at ${config.gateway.host}:${config.gateway.port}); start it with: openpollen start`
  }
}
