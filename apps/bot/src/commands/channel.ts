import type { ChannelStatus, TestStep } from "../channel/ChannelStatus.js"
import { maskId } from "../channel/ChannelStatus.js"
import type { ResolvedConfig } from "../config/ResolvedConfig.js"
import { callGateway } from "./gatewayClient.js"
import { missingBot } from "./missingBot.js"
import { complain, EXIT, paint, say, UsageError } from "./output.js"

const stateText = (status: ChannelStatus | undefined) => {
  const connection = status?.connection
  if (connection === undefined) return paint.dim("bot not running")
  if (connection._tag === "Connected")
    return paint.green(`connected since ${new Date(connection.since).toISOString()}`)
  if (connection._tag === "BackingOff") return paint.red(`backing off: ${connection.lastError}`)
  return connection._tag
}

/** `openpollen channel list`: what is configured, and — when the bot runs — its live connection state. */
export const channelList = async (config: ResolvedConfig): Promise<number> => {
  const live = await callGateway(config, "/api/status")
  const status = (live?.body as { channels?: ReadonlyArray<ChannelStatus> } | undefined)?.channels?.find(
    (channel) => channel.channel === "dingtalk",
  )
  const credentials = config.dingtalk.credentials
  say(paint.bold("CHANNEL   ENABLED  CLIENT ID      ROBOT CODE     GROUP POLICY  STATE"))
  say(
    [
      "dingtalk".padEnd(9),
      (config.dingtalk.enabled ? "yes" : credentials === undefined ? "sandbox" : "no").padEnd(8),
      (credentials === undefined ? "-" : maskId(credentials.clientId)).padEnd(14),
      (credentials === undefined ? "-" : maskId(credentials.robotCode)).padEnd(14),
      config.dingtalk.groupPolicy.padEnd(13),
      stateText(status),
    ].join(" "),
  )
  if (live === undefined) say(paint.dim(missingBot(config)))
  return EXIT.ok
}

/** `openpollen channel test dingtalk [--to …]`: credentials, the Stream handshake, and optionally a real message. */
export const channelTest = async (
  config: ResolvedConfig,
  channel: string | undefined,
  to: string | undefined,
): Promise<number> => {
  if (channel !== "dingtalk") throw new UsageError(`unknown channel "${channel ?? ""}" (available: dingtalk)`)
  const answer = await callGateway(
    config,
    "/api/channels/dingtalk/test",
    to === undefined ? {} : { to },
    30_000,
  )
  if (answer === undefined) {
    complain(missingBot(config))
    return EXIT.failure
  }
  const steps = (answer.body as { steps?: ReadonlyArray<TestStep>; error?: string } | undefined)?.steps
  if (steps === undefined) {
    complain(
      `test failed: ${(answer.body as { error?: string } | undefined)?.error ?? `HTTP ${answer.status}`}`,
    )
    return EXIT.failure
  }
  for (const step of steps)
    say(`${step.ok ? paint.green("✔") : paint.red("✘")} ${step.step.padEnd(12)} ${step.detail}`)
  return steps.every((step) => step.ok) ? EXIT.ok : EXIT.failure
}
