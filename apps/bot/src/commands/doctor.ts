import { type ChannelMetricsSnapshot, MemoryTokenStore } from "@openpollen/core"
import { AccessTokens, OpenApi, probeCardScopes, resolveOpenApiConfig } from "@openpollen/openapi"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ChannelStatus } from "../channel/ChannelStatus.js"
import type { ConfigError } from "../config/loadConfig.js"
import type { ResolvedAccount, ResolvedConfig } from "../config/ResolvedConfig.js"
import { callGateway } from "./gatewayClient.js"
import { isDingTalkOrigin } from "./isDingTalkOrigin.js"
import { missingBot } from "./missingBot.js"
import { EXIT, paint, say } from "./output.js"

interface Check {
  readonly name: string
  readonly ok: boolean | "skip"
  readonly detail: string
}

export interface DoctorOptions {
  /** Send the credentials to an apiBase that is not DingTalk's (the operator vouches for the config file). */
  readonly trustConfig?: boolean
}

const trustsApiBase = (config: ResolvedConfig, options: DoctorOptions) =>
  isDingTalkOrigin(config.dingtalk.apiBase) || options.trustConfig === true

/** With several accounts, each account's checks say whose they are. */
const whose = (config: ResolvedConfig, account: ResolvedAccount) =>
  config.accounts.length > 1 ? `account ${account.name}: ` : ""

const credentialsCheck = async (
  config: ResolvedConfig,
  account: ResolvedAccount,
  options: DoctorOptions,
): Promise<Check> => {
  const { credentials } = account
  const prefix = whose(config, account)
  // A hostile ./openpollen.json could name its own host to collect the secret from the operator's environment.
  if (!trustsApiBase(config, options))
    return {
      name: "credentials",
      ok: false,
      detail: `${prefix}not sent: channels.dingtalk.apiBase ${config.dingtalk.apiBase} is not a DingTalk origin; if you trust ${config.source ?? "the config"}, rerun with --trust-config`,
    }
  const layer = OpenApi.layer({
    ...credentials,
    apiBase: config.dingtalk.apiBase,
    requestTimeoutMs: 8_000,
  }).pipe(Layer.provide(MemoryTokenStore.layer))
  return Effect.runPromise(
    Effect.gen(function* () {
      yield* (yield* AccessTokens).get
    }).pipe(
      Effect.provide(layer),
      Effect.match({
        onSuccess: (): Check => ({
          name: "credentials",
          ok: true,
          detail: `${prefix}an access token was issued by ${config.dingtalk.apiBase}`,
        }),
        onFailure: (error): Check => ({
          name: "credentials",
          ok: false,
          detail:
            error.reason === "credentials"
              ? `${prefix}${error.message}: check ${config.accounts.length > 1 ? `channels.dingtalk.accounts.${account.name}.clientId / clientSecret` : "DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET"} in the app's 凭证与基础信息 page`
              : `${prefix}${error.message}: can this machine reach ${config.dingtalk.apiBase}?`,
        }),
      }),
    ),
  )
}

const mark = (ok: Check["ok"]) => (ok === "skip" ? paint.dim("–") : ok ? paint.green("✔") : paint.red("✘"))

/** `openpollen doctor` when the config does not load: that is the failed check, with each problem and the fix. */
export const doctorOfInvalidConfig = (error: ConfigError): number => {
  const file = error.source ?? "openpollen.json"
  say(
    `${mark(false)} ${"config".padEnd(12)} ${file}: ${error.problems.length} problem${error.problems.length === 1 ? "" : "s"}`,
  )
  for (const problem of error.problems) say(`${" ".repeat(15)}- ${problem}`)
  say(
    `${" ".repeat(15)}fix: edit ${file} at those keys (\`openpollen schema\` lists every key), or export the variables it names`,
  )
  say(`${mark("skip")} ${"credentials".padEnd(12)} not checked: the config did not load`)
  return EXIT.failure
}

const GRANT_HINT = "grant it in the app's 权限管理 (permissions) page on open.dingtalk.com"

/** With replyMode card: the card scopes the app lacks, found without creating a card. */
const cardCheck = async (config: ResolvedConfig, account: ResolvedAccount): Promise<Check | undefined> => {
  const { credentials, dingtalk } = account
  if (dingtalk.replyMode !== "card") return undefined
  const prefix = whose(config, account)
  const openApi = {
    ...credentials,
    apiBase: config.dingtalk.apiBase,
    requestTimeoutMs: 8_000,
    card: dingtalk.card,
  }
  const layer = OpenApi.layer(openApi).pipe(Layer.provide(MemoryTokenStore.layer))
  return Effect.runPromise(
    probeCardScopes(resolveOpenApiConfig(openApi)).pipe(
      Effect.provide(layer),
      Effect.match({
        onFailure: (error): Check => ({
          name: "cards",
          ok: false,
          detail: `${prefix}could not check: ${error.message}`,
        }),
        onSuccess: (probe): Check => {
          const problems = [
            ...probe.missing.map((scope) => `missing permission ${scope}: ${GRANT_HINT}`),
            ...(probe.templateMissing
              ? [
                  `card template ${dingtalk.card.templateId} not found: check channels.dingtalk.card.templateId`,
                ]
              : []),
          ]
          if (problems.length > 0) return { name: "cards", ok: false, detail: prefix + problems.join("; ") }
          if (probe.unknown.length > 0)
            return {
              name: "cards",
              ok: "skip",
              detail: `${prefix}could not tell: ${probe.unknown.join("; ")}`,
            }
          return {
            name: "cards",
            ok: true,
            detail: `${prefix}Card.Instance.Write and Card.Streaming.Write granted`,
          }
        },
      }),
    ),
  )
}

/** The running bot's last card problem, from /api/status. */
const cardTroubleCheck = async (config: ResolvedConfig): Promise<Check | undefined> => {
  if (!config.accounts.some((account) => account.dingtalk.replyMode === "card")) return undefined
  const status = await callGateway(config, "/api/status")
  const body = status?.body as
    | { readonly channels?: ReadonlyArray<{ readonly messages?: ChannelMetricsSnapshot }> }
    | undefined
  const trouble = body?.channels?.find((channel) => channel.messages?.lastCardTrouble)?.messages
    ?.lastCardTrouble
  if (trouble === undefined) return undefined
  return {
    name: "last card",
    ok: false,
    detail: `${new Date(trouble.at).toISOString()} ${trouble.reason}${trouble.permission === undefined ? "" : ` (grant ${trouble.permission})`}: ${trouble.message}; answers went as Markdown`,
  }
}

/** The running bot's Stream connection per account, from /api/status (an account that failed does not stop the others). */
const streamChecks = async (config: ResolvedConfig): Promise<ReadonlyArray<Check>> => {
  const status = await callGateway(config, "/api/status")
  const channel = (status?.body as { readonly channels?: ReadonlyArray<ChannelStatus> } | undefined)
    ?.channels?.[0]
  const accounts = Object.entries(channel?.accounts ?? {})
  return accounts.map(([name, account]): Check => {
    const prefix = accounts.length > 1 ? `account ${name}: ` : ""
    const connection = account.connection
    if (connection?._tag === "Connected")
      return {
        name: "stream",
        ok: true,
        detail: `${prefix}connected since ${new Date(connection.since).toISOString()}`,
      }
    return {
      name: "stream",
      ok: false,
      detail: `${prefix}${
        account.startError !== undefined
          ? `not started: ${account.startError}`
          : connection?._tag === "BackingOff"
            ? `not connected: ${connection.lastError}`
            : account.stream?.lastError !== undefined
              ? `not connected (${connection?._tag ?? "unknown"}): ${account.stream.lastError}`
              : `not connected (${connection?._tag ?? "unknown"})`
      }`,
    }
  })
}

/** `openpollen doctor`: config, credentials and connectivity, each with what to do about it. */
export const doctor = async (config: ResolvedConfig, options: DoctorOptions = {}): Promise<number> => {
  say(`config: ${config.source ?? "none found (defaults)"}`)
  const checks: Array<Check> = [
    {
      name: "config",
      ok: true,
      detail:
        config.source === undefined ? "no openpollen.json found: defaults in use" : `loaded ${config.source}`,
    },
  ]
  if (config.accounts.length > 0 && !config.accounts.some((account) => account.dingtalk.enabled))
    checks.push({
      name: "channel",
      ok: false,
      detail: "credentials are set but channels.dingtalk.enabled is false",
    })
  if (config.accounts.length === 0)
    checks.push({
      name: "credentials",
      ok: "skip",
      detail: "none configured: `openpollen start` will run the local sandbox",
    })
  for (const account of config.accounts) {
    checks.push(await credentialsCheck(config, account, options))
    // The card probe sends the same credentials: only where the credentials check may send them.
    const cards = trustsApiBase(config, options) ? await cardCheck(config, account) : undefined
    if (cards !== undefined) checks.push(cards)
  }
  const running = await callGateway(config, "/health")
  checks.push({
    name: "bot",
    ok: running === undefined ? "skip" : true,
    detail: running === undefined ? missingBot(config) : `running: ${JSON.stringify(running.body)}`,
  })
  if (running !== undefined) checks.push(...(await streamChecks(config)))
  const lastCard = running === undefined ? undefined : await cardTroubleCheck(config)
  if (lastCard !== undefined) checks.push(lastCard)
  for (const check of checks) say(`${mark(check.ok)} ${check.name.padEnd(12)} ${check.detail}`)
  return checks.some((check) => check.ok === false) ? EXIT.failure : EXIT.ok
}
