import type { ChannelMetricsSnapshot, ConnectionState, ReplyMode } from "@openpollen/core"
import type { StreamCounters } from "@openpollen/stream"

export interface ChannelStatus {
  readonly channel: "dingtalk"
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
}

export interface TestStep {
  readonly step: "credentials" | "stream" | "send"
  readonly ok: boolean
  readonly detail: string
}

/** `dingx…6t` style: enough to recognise an app, not enough to use it. */
export const maskId = (id: string): string =>
  id.length <= 8 ? `${id.slice(0, 2)}…` : `${id.slice(0, 5)}…${id.slice(-3)}`
