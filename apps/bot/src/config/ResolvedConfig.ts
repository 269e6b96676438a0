import { homedir } from "node:os"
import { join, resolve } from "node:path"
import { ANTHROPIC_DEFAULTS, type AnthropicAgentConfig } from "@openpollen/agent-anthropic/config"
import { OPENAI_DEFAULTS, type OpenAiAgentConfig } from "@openpollen/agent-openai/config"
import type { Allowlists, GroupPolicy, GroupSettings, ReplyMode } from "@openpollen/core"
import { SQLITE_FILE_NAME } from "@openpollen/sqlite/defaults"
import * as Redacted from "effect/Redacted"
import type { ConfigFile } from "./ConfigFile.js"
import { resolveAccounts } from "./resolveAccounts.js"
import { credentialsOf, resolveDingTalk } from "./resolveDingTalk.js"

export interface DingTalkCredentials {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly robotCode: string
}

export interface ResolvedDingTalk {
  readonly enabled: boolean
  /** Absent when no clientId/clientSecret is configured: the bot then runs the local sandbox. */
  readonly credentials?: DingTalkCredentials
  readonly groupPolicy: GroupPolicy
  readonly apiBase: string
  readonly oapiBase: string
  readonly allowlists: Allowlists
  readonly groups: Readonly<Record<string, GroupSettings>>
  /** Absent: allowlist refusals stay silent. */
  readonly refusalMessage?: string
  /** `""`: unreadable message types stay unanswered. */
  readonly unsupportedMessageReply: string
  readonly maxReplyChars: number
  readonly webhookExpiryMarginMs: number
  readonly maxConcurrentConversations: number
  /** Accepted but unanswered messages, at most; past it, callbacks are left un-ACKed for DingTalk to redeliver. */
  readonly maxPendingMessages: number
  readonly sessionPerUserInGroups: boolean
  readonly qps: number
  readonly replyMode: ReplyMode
  readonly card: {
    readonly templateId: string
    readonly contentKey: string
    readonly updateIntervalMs: number
    readonly qps: number
  }
  readonly idleTimeoutMs: number
  readonly keepAliveMs: number
  readonly download: {
    readonly maxBytes: number
    readonly timeoutMs: number
    readonly totalTimeoutMs: number
    readonly minBytesPerSecond: number
    readonly allowPrivateHosts: boolean
  }
  readonly uploads: { readonly dir: string; readonly retentionDays: number; readonly maxTotalBytes: number }
}

/** A provider's settings; the folders read_file may serve are added when the agent is wired. */
export type ResolvedOpenAi = Omit<OpenAiAgentConfig, "folders">
export type ResolvedAnthropic = Omit<AnthropicAgentConfig, "folders">

export type ResolvedAgent = (
  | { readonly provider: "echo"; readonly echo: { readonly chunkDelayMs: number } }
  | { readonly provider: "openai"; readonly openai: ResolvedOpenAi }
  | { readonly provider: "anthropic"; readonly anthropic: ResolvedAnthropic }
) & {
  /** A folder read_file may serve besides the uploads folder. */
  readonly workspace?: string
}

export type ResolvedStore =
  | { readonly kind: "memory"; readonly stateDir: string }
  | {
      readonly kind: "sqlite"
      readonly path: string
      readonly leaseMs: number
      readonly maxDeliveries: number
      readonly dedupeTtlMs: number
      readonly historyTtlMs: number
      readonly stateDir: string
    }
  | {
      readonly kind: "redis"
      readonly url: Redacted.Redacted<string>
      readonly keyPrefix: string
      readonly leaseMs: number
      readonly maxDeliveries: number
      readonly dedupeTtlMs: number
      readonly historyTtlMs: number
      readonly stateDir: string
    }

/** One robot: its app, and the channel's settings with its own laid over them. */
export interface ResolvedAccount {
  /** `default` for the credentials on `channels.dingtalk` itself, else its key in `channels.dingtalk.accounts`. */
  readonly name: string
  readonly credentials: DingTalkCredentials
  /** Its `credentials` are this account's. */
  readonly dingtalk: ResolvedDingTalk
}

export interface ResolvedConfig {
  /** The file it came from, or undefined when none was found (defaults only). */
  readonly source?: string
  /** The channel's own settings: the defaults of every account, and the `default` account's credentials if any. */
  readonly dingtalk: ResolvedDingTalk
  /** Every configured robot, the `default` account first; empty without credentials (the sandbox runs then). */
  readonly accounts: ReadonlyArray<ResolvedAccount>
  readonly agent: ResolvedAgent
  readonly gateway: {
    readonly host: string
    readonly port: number
    readonly apiKey?: Redacted.Redacted<string>
  }
  readonly sandbox: { readonly port: number }
  readonly store: ResolvedStore
  /** Lines to print at start: deprecated settings and what they were read as. */
  readonly notices: ReadonlyArray<string>
  readonly log: { readonly level: "debug" | "info" | "warning" | "error" }
}

const openpollenHome = () => join(homedir(), ".openpollen")

/** The default store: a durable file for a bot with credentials, memory for the sandbox (and when asked for). */
const resolveStore = (
  store: ConfigFile["store"] = {},
  stateDir: string,
  hasCredentials: boolean,
): ResolvedStore => {
  const kind = store.kind ?? (hasCredentials ? "sqlite" : "memory")
  if (kind === "memory") return { kind: "memory", stateDir }
  const shared = {
    leaseMs: store.leaseMs ?? 30_000,
    maxDeliveries: store.maxDeliveries ?? 5,
    dedupeTtlMs: store.dedupeTtlMs ?? 86_400_000,
    historyTtlMs: store.historyTtlMs ?? 7 * 86_400_000,
    stateDir,
  }
  if (kind !== "redis")
    return { kind: "sqlite", path: store.path ?? join(stateDir, SQLITE_FILE_NAME), ...shared }
  return {
    kind: "redis",
    url: Redacted.make(store.url ?? ""),
    keyPrefix: store.keyPrefix ?? "openpollen:",
    ...shared,
  }
}

const noticesOf = (store: ConfigFile["store"]): ReadonlyArray<string> =>
  store?.kind === "file"
    ? [
        'store.kind "file" is deprecated: read as "sqlite" (tokens, history and unanswered messages in one file); write "sqlite" to silence this',
      ]
    : []

const resolveAgent = (agent: ConfigFile["agent"] = {}): ResolvedAgent => {
  const workspace =
    agent.workspace === undefined || agent.workspace === "" ? {} : { workspace: agent.workspace }
  if (agent.provider === "openai") {
    const openai = agent.openai ?? {}
    return {
      provider: "openai",
      ...workspace,
      openai: {
        baseUrl: openai.baseUrl ?? OPENAI_DEFAULTS.baseUrl,
        ...(openai.apiKey === undefined ? {} : { apiKey: Redacted.make(openai.apiKey) }),
        model: openai.model ?? OPENAI_DEFAULTS.model,
        timeoutMs: openai.timeoutMs ?? OPENAI_DEFAULTS.timeoutMs,
        maxHistoryMessages: openai.maxHistoryMessages ?? OPENAI_DEFAULTS.maxHistoryMessages,
        ...(openai.systemPrompt === undefined ? {} : { systemPrompt: openai.systemPrompt }),
        tools: openai.tools ?? OPENAI_DEFAULTS.tools,
      },
    }
  }
  if (agent.provider === "anthropic") {
    const anthropic = agent.anthropic ?? {}
    return {
      provider: "anthropic",
      ...workspace,
      anthropic: {
        baseUrl: anthropic.baseUrl ?? ANTHROPIC_DEFAULTS.baseUrl,
        ...(anthropic.apiKey === undefined ? {} : { apiKey: Redacted.make(anthropic.apiKey) }),
        model: anthropic.model ?? ANTHROPIC_DEFAULTS.model,
        maxTokens: anthropic.maxTokens ?? ANTHROPIC_DEFAULTS.maxTokens,
        timeoutMs: anthropic.timeoutMs ?? ANTHROPIC_DEFAULTS.timeoutMs,
        maxHistoryMessages: anthropic.maxHistoryMessages ?? ANTHROPIC_DEFAULTS.maxHistoryMessages,
        ...(anthropic.systemPrompt === undefined ? {} : { systemPrompt: anthropic.systemPrompt }),
      },
    }
  }
  return { provider: "echo", ...workspace, echo: { chunkDelayMs: agent.echo?.chunkDelayMs ?? 0 } }
}

/** `$OPENPOLLEN_STATE_DIR` moves the state folder (tokens, the run-state file), e.g. for tests. */
export const resolveConfig = (
  file: ConfigFile,
  source?: string,
  env: Readonly<Record<string, string | undefined>> = {},
): ResolvedConfig => {
  const stateDir =
    env.OPENPOLLEN_STATE_DIR !== undefined && env.OPENPOLLEN_STATE_DIR !== ""
      ? resolve(env.OPENPOLLEN_STATE_DIR)
      : join(openpollenHome(), "state")
  const dingtalk = file.channels?.dingtalk ?? {}
  const credentials = credentialsOf(dingtalk)
  const accounts = resolveAccounts(dingtalk)
  return {
    ...(source === undefined ? {} : { source }),
    dingtalk: resolveDingTalk(dingtalk, credentials),
    accounts,
    agent: resolveAgent(file.agent),
    gateway: {
      host: file.gateway?.host ?? "127.0.0.1",
      port: file.gateway?.port ?? 18_800,
      ...(file.gateway?.apiKey === undefined ? {} : { apiKey: Redacted.make(file.gateway.apiKey) }),
    },
    sandbox: { port: file.sandbox?.port ?? 18_801 },
    store: resolveStore(file.store, stateDir, accounts.length > 0),
    notices: noticesOf(file.store),
    log: { level: file.log?.level ?? "info" },
  }
}
