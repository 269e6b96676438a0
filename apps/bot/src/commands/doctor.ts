import { type ChannelMetricsSnapshot, MemoryTokenStore } from "@openpollen/core"
import { AccessTokens, OpenApi, probeCardScopes, resolveOpenApiConfig } from "@openpollen/openapi"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ConfigError } from "../config/loadConfig.js"
import type { ResolvedConfig } from "../config/ResolvedConfig.js"
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

const credentialsCheck = async (config: ResolvedConfig, options: DoctorOptions): Promise<Check> => {
  const credentials = config.dingtalk.credentials
  if (credentials === undefined)
    return {
      name: "credentials",
      ok: "skip",
      detail: "none configured: `openpollen start` will run the local sandbox",
    }
  // A hostile ./openpollen.json could name its own host to collect the secret from the operator's environment.
  if (!trustsApiBase(config, options))
    return {
      name: "credentials",
      ok: false,
      detail: `not sent: channels.dingtalk.apiBase ${config.dingtalk.apiBase} is not a DingTalk origin; if you trust ${config.source ?? "the config"}, rerun with --trust-config`,
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
          detail: `an access token was issued by ${config.dingtalk.apiBase}`,
        }),
        onFailure: (error): Check => ({
          name: "credentials",
          ok: false,
          detail:
            error.reason === "credentials"
              ? `${error.message}: check DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET in the app's 凭证与基础信息 page`
              : `${error.message}: can this machine reach ${config.dingtalk.apiBase}?`,
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
const cardCheck = async (config: ResolvedConfig): Promise<Check | undefined> => {
  const credentials = config.dingtalk.credentials
  if (config.dingtalk.replyMode !== "card" || credentials === undefined) return undefined
  const openApi = {
    ...credentials,
    apiBase: config.dingtalk.apiBase,
    requestTimeoutMs: 8_000,
    card: config.dingtalk.card,
  }
  const layer = OpenApi.layer(openApi).pipe(Layer.provide(MemoryTokenStore.layer))
  return Effect.runPromise(
    probeCardScopes(resolveOpenApiConfig(openApi)).pipe(
      Effect.provide(layer),
      Effect.match({
        onFailure: (error): Check => ({
          name: "cards",
          ok: false,
          detail: `could not check: ${error.message}`,
        }),
        onSuccess: (probe): Check => {
          const problems = [
            ...probe.missing.map((scope) => `missing permission ${scope}: ${GRANT_HINT}`),
            ...(probe.templateMissing
              ? [
                  `card template ${config.dingtalk.card.templateId} not found: check channels.dingtalk.card.templateId`,
                ]
              : []),
          ]
          if (problems.length > 0) return { name: "cards", ok: false, detail: problems.join("; ") }
          if (probe.unknown.length > 0)
            return { name: "cards", ok: "skip", detail: `could not tell: ${probe.unknown.join("; ")}` }
          return { name: "cards", ok: true, detail: "Card.Instance.Write and Card.Streaming.Write granted" }
        },
      }),
    ),
  )
}

/** The running bot's last card problem, from /api/status. */
const cardTroubleCheck = async (config: ResolvedConfig): Promise<Check | undefined> => {
  if (config.dingtalk.replyMode !== "card") return undefined
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
  if (config.dingtalk.credentials !== undefined && !config.dingtalk.enabled)
    checks.push({
      name: "channel",
      ok: false,
      detail: "credentials are set but channels.dingtalk.enabled is false",
    })
  checks.push(await credentialsCheck(config, options))
  // The card probe sends the same credentials: only where the credentials check may send them.
  const cards = trustsApiBase(config, options) ? await cardCheck(config) : undefined
  if (cards !== undefined) checks.push(cards)
  const running = await callGateway(config, "/health")
  checks.push({
    name: "bot",
    ok: running === undefined ? "skip" : true,
    detail: running === undefined ? missingBot(config) : `running: ${JSON.stringify(running.body)}`,
  })
  const lastCard = running === undefined ? undefined : await cardTroubleCheck(config)
  if (lastCard !== undefined) checks.push(lastCard)
  for (const check of checks) say(`${mark(check.ok)} ${check.name.padEnd(12)} ${check.detail}`)
  return checks.some((check) => check.ok === false) ? EXIT.failure : EXIT.ok
}
