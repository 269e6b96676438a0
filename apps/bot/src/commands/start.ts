import { randomBytes } from "node:crypto"
import type { ConnectionState } from "@openpollen/core"
import { maskRedisUrl } from "@openpollen/redis/url"
import type { Simulator } from "@openpollen/simulator"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { agentLayer } from "../agents/agentLayer.js"
import type { ChannelStatus } from "../channel/ChannelStatus.js"
import { maskId } from "../channel/ChannelStatus.js"
import { ChannelStartError, type DingTalkChannel, startDingTalkChannel } from "../channel/DingTalkChannel.js"
import type { ResolvedAccount, ResolvedConfig } from "../config/ResolvedConfig.js"
import { DEFAULT_ACCOUNT } from "../config/resolveAccounts.js"
import { startGateway } from "../gateway/GatewayServer.js"
import { botLoggerLayer } from "../logging/BotLogger.js"
import { writeErrorLine } from "../logging/errorLine.js"
import { makeRedactor } from "../logging/redact.js"
import { removeRunState, writeRunState } from "../runState/writeRunState.js"
import { complain, EXIT, paint, say } from "./output.js"
import { releaseStartupMemory } from "./releaseStartupMemory.js"
import { watchPnpmLaunchers } from "./watchPnpmLaunchers.js"

const SHUTDOWN_WAIT_MS = 10_000

const secretsOf = (config: ResolvedConfig, accounts: ReadonlyArray<ResolvedAccount>) =>
  [
    ...accounts.map((account) => account.credentials.clientSecret),
    ...config.accounts.map((account) => account.credentials.clientSecret),
    config.agent.provider === "openai" ? config.agent.openai.apiKey : undefined,
    config.agent.provider === "anthropic" ? config.agent.anthropic.apiKey : undefined,
    config.gateway.apiKey,
  ]
    .flatMap((secret) => (secret === undefined ? [] : [Redacted.value(secret)]))
    .concat(config.store.kind === "redis" ? redisSecrets(Redacted.value(config.store.url)) : [])

/** The Redis URL and its password (as written and percent-decoded), so neither reaches a log line. */
const redisSecrets = (url: string): ReadonlyArray<string> => {
  try {
    const { password, username } = new URL(url)
    return [url, password, decodeURIComponent(password), username === "" ? "" : username].filter(
      (secret) => secret.length >= 4,
    )
  } catch {
    return [url]
  }
}

const describeStore = (store: ResolvedConfig["store"]): string =>
  store.kind === "redis"
    ? `redis ${maskRedisUrl(Redacted.value(store.url))} (shared by every instance)`
    : store.kind === "sqlite"
      ? `sqlite ${store.path} (this instance only; unanswered messages survive a crash)`
      : "memory (this instance only; lost on exit)"

const describe = (state: ConnectionState | undefined): string => {
  switch (state?._tag) {
    case "Connected":
      return paint.green("connected")
    case "Connecting":
      return paint.yellow(state.attempt === 0 ? "connecting…" : `connecting (attempt ${state.attempt + 1})…`)
    case "BackingOff":
      return paint.red(
        `not connected: ${state.lastError}; retrying in ${Math.max(0, Math.round((state.retryAt - Date.now()) / 1000))} s`,
      )
    default:
      return state?._tag.toLowerCase() ?? "unknown"
  }
}

/** `openpollen start`: the channel, the gateway API and (without credentials) the sandbox, until SIGINT / SIGTERM. */
export const start = async (config: ResolvedConfig): Promise<number> => {
  let simulator: Simulator | undefined
  let dingtalk = config.dingtalk
  const sandbox = config.accounts.length === 0
  let accounts = config.accounts.filter((account) => account.dingtalk.enabled)
  if (sandbox) {
    // Loaded only here: a bot with credentials never needs the simulator or the sandbox page.
    const { startSimulator } = await import("@openpollen/simulator")
    simulator = await startSimulator({ pingIntervalMs: 30_000 })
    // The local DingTalk holds both card scopes; it also publishes the configured template, so replyMode "card"
    // with an org's own templateId shows cards in the sandbox instead of falling back to Markdown.
    simulator.cards.addTemplate(dingtalk.card.templateId)
    const credentials = {
      clientId: simulator.app.clientId,
      clientSecret: Redacted.make(simulator.app.clientSecret),
      robotCode: simulator.app.robotCode,
    }
    dingtalk = { ...dingtalk, apiBase: simulator.url, oapiBase: simulator.url }
    accounts = [{ name: DEFAULT_ACCOUNT, credentials, dingtalk: { ...dingtalk, credentials } }]
    say(`openpollen: no DingTalk credentials configured — running against the local DingTalk sandbox`)
  }
  const token = Redacted.make(randomBytes(32).toString("base64url"))
  const secrets = [...secretsOf(config, accounts), Redacted.value(token)]
  const logger = botLoggerLayer({ level: config.log.level, secrets })
  const redact = makeRedactor(secrets)
  let channel: DingTalkChannel | undefined
  for (const notice of config.notices) complain(`openpollen: ${notice}`)
  const runsChannel = accounts.length > 0
  const several = accounts.length > 1
  const label = (account: string) => (several ? `dingtalk (${account})` : "dingtalk")
  const notYet: ChannelStatus = runsChannel
    ? {
        channel: "dingtalk",
        enabled: true,
        mode: sandbox ? "sandbox" : "dingtalk",
        groupPolicy: dingtalk.groupPolicy,
      }
    : { channel: "dingtalk", enabled: false, mode: "disabled", groupPolicy: dingtalk.groupPolicy }
  const starting = "the DingTalk channel is still starting"
  const gateway = await startGateway(
    { ...config.gateway, token },
    {
      status: () => channel?.status() ?? Promise.resolve(notYet),
      ...(runsChannel
        ? {
            health: () => channel?.health() ?? Promise.resolve({ ok: false, reason: starting }),
            test: (to?: string, account?: string) =>
              channel?.test(to, account) ??
              Promise.resolve([{ step: "stream" as const, ok: false, detail: starting }]),
            send: (
              to: string,
              message: { readonly title?: string; readonly text: string },
              account?: string,
            ) => channel?.send(to, message, account) ?? Promise.resolve({ ok: false, detail: starting }),
            deadLetters: {
              count: () => channel?.deadLetters.count() ?? Promise.resolve(undefined),
              list: (limit: number) => channel?.deadLetters.list(limit) ?? Promise.resolve(undefined),
              retry: (id: string) => channel?.deadLetters.retry(id) ?? Promise.resolve(undefined),
              drop: (id: string) => channel?.deadLetters.drop(id) ?? Promise.resolve(undefined),
            },
          }
        : {}),
    },
  )
  say(`openpollen: gateway API on ${gateway.url}`)
  const page =
    simulator === undefined
      ? undefined
      : await (await import("../sandbox/startSandbox.js")).startSandbox({
          simulator,
          host: "127.0.0.1",
          port: config.sandbox.port,
          groupPolicy: dingtalk.groupPolicy,
        })
  if (page !== undefined) {
    gateway.allowOrigin(page.url)
    say(`sandbox: open ${paint.bold(page.url)} to chat with the bot as DingTalk users`)
  }
  const stateDir = config.store.stateDir
  const runState = writeRunState(stateDir, {
    pid: process.pid,
    gatewayUrl: gateway.url,
    ...(page === undefined ? {} : { sandboxUrl: page.url }),
    token: Redacted.value(token),
    startedAt: new Date().toISOString(),
  })
  process.once("exit", () => removeRunState(stateDir, process.pid))
  say(`openpollen: run state in ${runState} (the CLI finds this bot and its token there)`)
  // Connected last: DingTalk ACKs only to a bot whose stores, uploads folder and gateway are ready.
  if (runsChannel) {
    try {
      channel = await startDingTalkChannel({
        dingtalk,
        accounts,
        store: config.store,
        mode: sandbox ? "sandbox" : "dingtalk",
        agent: agentLayer(config),
        logger: logger as Layer.Layer<never>,
        ...(config.agent.workspace === undefined ? {} : { workspace: config.agent.workspace }),
      })
    } catch (error) {
      if (!(error instanceof ChannelStartError)) throw error
      // Exit 2 like a configuration error: restarting cannot help until someone acts on the message.
      complain(redact(`openpollen: cannot start the DingTalk channel: ${error.message}`))
      await gateway.close()
      removeRunState(stateDir, process.pid)
      await page?.close()
      await simulator?.close()
      return EXIT.usage
    }
    for (const account of accounts) {
      const failure = channel.failed.get(account.name)
      if (failure !== undefined) complain(redact(`${label(account.name)}: cannot start: ${failure}`))
      else
        say(
          `${label(account.name)}: app ${maskId(account.credentials.clientId)}, groupPolicy ${account.dingtalk.groupPolicy}, agent ${config.agent.provider}`,
        )
    }
    say(`store: ${describeStore(config.store)}`)
  } else {
    say("dingtalk: disabled (set channels.dingtalk.enabled: true)")
  }

  const reported = new Map<string, string>()
  let startupMemoryReleased = false
  channel?.onConnectionChange((connection, account) => {
    if (connection._tag === "Connected" && !startupMemoryReleased) {
      startupMemoryReleased = true
      setImmediate(releaseStartupMemory)
    }
    const key =
      connection._tag === "BackingOff" ? `${connection._tag}:${connection.lastError}` : connection._tag
    if (key === reported.get(account) || connection._tag === "Idle") return
    reported.set(account, key)
    say(redact(`${label(account)}: ${describe(connection)}`))
  })

  return new Promise<number>((resolve) => {
    let stopping = false
    const stop = async (signal: string) => {
      if (stopping) return
      stopping = true
      say(
        `openpollen: ${signal} received — finishing replies in flight (up to ${SHUTDOWN_WAIT_MS / 1000} s)…`,
      )
      // A shutdown step that hangs must not keep the process alive forever.
      const hardStop = setTimeout(() => {
        writeErrorLine("openpollen: shutdown did not finish in time; exiting")
        resolve(EXIT.failure)
      }, SHUTDOWN_WAIT_MS + 10_000)
      hardStop.unref()
      let clean = true
      let lost = 0
      const step = async (name: string, run: () => Promise<unknown> | undefined) => {
        try {
          await run()
        } catch (error) {
          clean = false
          writeErrorLine(
            redact(`openpollen: closing ${name} failed: ${error instanceof Error ? error.message : "error"}`),
          )
        }
      }
      await step("the DingTalk channel", async () => {
        const drained = await channel?.stop(SHUTDOWN_WAIT_MS)
        if (drained === undefined || drained.drained) return
        if (channel?.keepsUnanswered === true) {
          say(
            `openpollen: left ${drained.pending} unanswered message(s) in the journal; they are answered on the next start`,
          )
          return
        }
        // The memory store cannot keep them: they were ACKed, so DingTalk will not deliver them again.
        lost = drained.pending
        writeErrorLine(
          `openpollen: lost ${drained.pending} unanswered message(s) still in flight at the deadline (the memory store cannot keep them)`,
        )
      })
      await step("the gateway API", () => gateway.close())
      removeRunState(stateDir, process.pid)
      await step("the sandbox page", () => page?.close())
      await step("the simulator", () => simulator?.close())
      clearTimeout(hardStop)
      say("openpollen: stopped")
      resolve(clean && lost === 0 ? EXIT.ok : EXIT.failure)
    }
    // `on`, not `once`: pnpm forwards the terminal's SIGINT, so one Ctrl-C arrives twice; the second must not kill node.
    process.on("SIGINT", () => void stop("SIGINT"))
    process.on("SIGTERM", () => void stop("SIGTERM"))
    watchPnpmLaunchers(() => void stop("launcher exit (pnpm)"))
  })
}
