import type { ChannelMetricsSnapshot, ConnectionState, ReplyMode } from "@openpollen/core"
import type { StreamCounters } from "@openpollen/stream"
import type { ResolvedAccount } from "../config/ResolvedConfig.js"

/** One robot (account) of the channel. */
export interface AccountStatus {
  readonly account?: string
  readonly enabled: boolean
  readonly mode: "dingtalk" | "sandbox" | "disabled"
  readonly clientId?: string
  readonly robotCode?: string
  readonly groupPolicy: string
  /** With card, `messages.lastCardTrouble` says why a card could not be used (and which scope to grant). */
  readonly replyMode?: ReplyMode
  readonly connection?: ConnectionState
  readonly stream?: Readonly<StreamCounters>
  readonly messages?: ChannelMetricsSnapshot
  /** Messages the journal gave up on (sqlite, redis); see `openpollen deadletters list`. */
  readonly deadLetters?: number
  /** Why the account is not running although configured (its layers could not be built). */
  readonly startError?: string
}

/**
 * The channel: the first account's fields at the top (what single-robot clients read), and every account by name
 * in `accounts` when it runs.
 */
export interface ChannelStatus extends AccountStatus {
  readonly channel: "dingtalk"
  readonly accounts?: Readonly<Record<string, AccountStatus>>
}

export interface TestStep {
  readonly step: "credentials" | "stream" | "send"
  readonly ok: boolean
  readonly detail: string
  /** With several accounts: whose step it is. */
  readonly account?: string
}

/** `dingx…6t` style: enough to recognise an app, not enough to use it. */
export const maskId = (id: string): string =>
  id.length <= 8 ? `${id.slice(0, 2)}…` : `${id.slice(0, 5)}…${id.slice(-3)}`

/** Whether the channel has a connected account: the gateway's /health is ok then. */
export const anyConnected = (status: ChannelStatus): boolean =>
  status.accounts === undefined
    ? status.connection?._tag === "Connected"
    : Object.values(status.accounts).some((account) => account.connection?._tag === "Connected")

/** What a status says of an account whether or not it runs: its name, app (masked) and settings. */
export const accountIdentity = (account: ResolvedAccount, mode: AccountStatus["mode"]) => ({
  account: account.name,
  enabled: true,
  mode,
  clientId: maskId(account.credentials.clientId),
  robotCode: maskId(account.credentials.robotCode),
  groupPolicy: account.dingtalk.groupPolicy,
  replyMode: account.dingtalk.replyMode,
})
