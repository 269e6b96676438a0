import type { ChannelStatus } from "../../../src/channel/ChannelStatus.js"
import type { BotProcess } from "../../e2e/harness/BotProcess.js"

/** The DingTalk channel's status from the bot's gateway API (`GET /api/status`). */
export const botStatus = async (bot: BotProcess): Promise<ChannelStatus> => {
  const response = await fetch(`${bot.gatewayUrl}/api/status`)
  const body = (await response.json()) as { readonly channels: ReadonlyArray<ChannelStatus> }
  const [status] = body.channels
  if (status === undefined) throw new Error("the gateway API listed no channel")
  return status
}

/** Messages the bot has received (callbacks with JSON data) but not finished handling. */
export const unfinished = (status: ChannelStatus): number =>
  (status.stream?.callbacks ?? 0) - (status.messages?.received ?? 0)
