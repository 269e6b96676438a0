import type { AccountStatus, ChannelStatus, TestStep } from "../channel/ChannelStatus.js"
import { maskId } from "../channel/ChannelStatus.js"
import type { ResolvedConfig } from "../config/ResolvedConfig.js"
import { callGateway } from "./gatewayClient.js"
import { missingBot } from "./missingBot.js"
import { complain, EXIT, paint, say, UsageError } from "./output.js"

const stateText = (status: AccountStatus | undefined, running: boolean) => {
  if (!running) return paint.dim("bot not running")
  if (status?.startError !== undefined) return paint.red(`not started: ${status.startError}`)
  const connection = status?.connection
  if (connection === undefined) return paint.dim(status === undefined ? "not served" : "starting")
  if (connection._tag === "Connected")
    return paint.green(`connected since ${new Date(connection.since).toISOString()}`)
  if (connection._tag === "BackingOff") return paint.red(`backing off: ${connection.lastError}`)
  // Between two slow retries of a refused app: still worth naming why the last attempt failed.
  if (connection._tag === "Connecting" && status?.stream?.lastError !== undefined)
    return paint.yellow(`connecting (last attempt: ${status.stream.lastError})`)
  return connection._tag
}

const countsText = (status: AccountStatus | undefined) =>
  status?.messages === undefined ? "-" : `${status.messages.received}/${status.messages.replied}`

/** The live status of one account: from `accounts`, or the top-level fields of a bot that lists none. */
const liveAccount = (status: ChannelStatus | undefined, name: string): AccountStatus | undefined =>
  status?.accounts?.[name] ??
  (status?.accounts === undefined && status?.connection !== undefined ? status : undefined)

/** `openpollen channel list`: each configured account, and — when the bot runs — its live connection state. */
export const channelList = async (config: ResolvedConfig): Promise<number> => {
  const live = await callGateway(config, "/api/status")
  const status = (live?.body as { channels?: ReadonlyArray<ChannelStatus> } | undefined)?.channels?.find(
    (channel) => channel.channel === "dingtalk",
  )
  say(
    paint.bold(
      "CHANNEL   ACCOUNT      ENABLED  CLIENT ID      ROBOT CODE     GROUP POLICY  RECEIVED/REPLIED  STATE",
    ),
  )
  const row = (cells: ReadonlyArray<string>, account: AccountStatus | undefined) =>
    say(
      [
        "dingtalk".padEnd(9),
        (cells[0] ?? "").padEnd(12),
        (cells[1] ?? "").padEnd(8),
        (cells[2] ?? "").padEnd(14),
        (cells[3] ?? "").padEnd(14),
        (cells[4] ?? "").padEnd(13),
        countsText(account).padEnd(17),
        stateText(account, live !== undefined),
      ].join(" "),
    )
  if (config.accounts.length === 0)
    row(["-", config.dingtalk.enabled ? "yes" : "sandbox", "-", "-", config.dingtalk.groupPolicy], status)
  for (const account of config.accounts)
    row(
      [
        account.name,
        account.dingtalk.enabled ? "yes" : "no",
        maskId(account.credentials.clientId),
        maskId(account.credentials.robotCode),
        account.dingtalk.groupPolicy,
      ],
      liveAccount(status, account.name),
    )
  if (live === undefined) say(paint.dim(missingBot(config)))
  return EXIT.ok
}

/** `openpollen channel test dingtalk [--account …] [--to …]`: credentials, the Stream handshake, and a real message. */
export const channelTest = async (
  config: ResolvedConfig,
  channel: string | undefined,
  to: string | undefined,
  account?: string,
): Promise<number> => {
  if (channel !== "dingtalk") throw new UsageError(`unknown channel "${channel ?? ""}" (available: dingtalk)`)
  if (
    account !== undefined &&
    config.accounts.length > 0 &&
    !config.accounts.some((each) => each.name === account)
  )
    throw new UsageError(
      `no account "${account}" in the config (accounts: ${config.accounts.map((each) => each.name).join(", ")})`,
    )
  const answer = await callGateway(
    config,
    "/api/channels/dingtalk/test",
    { ...(to === undefined ? {} : { to }), ...(account === undefined ? {} : { account }) },
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
    say(
      `${step.ok ? paint.green("✔") : paint.red("✘")} ${step.account === undefined ? "" : `${step.account.padEnd(12)} `}${step.step.padEnd(12)} ${step.detail}`,
    )
  return steps.every((step) => step.ok) ? EXIT.ok : EXIT.failure
}
