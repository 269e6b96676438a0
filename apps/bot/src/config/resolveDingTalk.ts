import { homedir } from "node:os"
import { join } from "node:path"
import { CARD_UPDATE_INTERVAL_MS, FRIENDLY_REPLIES } from "@openpollen/core"
import { CARD_DEFAULTS, DOWNLOAD_DEFAULTS, OPENAPI_DEFAULTS } from "@openpollen/openapi/defaults"
import { STREAM_DEFAULTS } from "@openpollen/stream/defaults"
import { WEBHOOK_DEFAULTS } from "@openpollen/webhook/defaults"
import * as Redacted from "effect/Redacted"
import type { DingTalkChannelFile } from "./ConfigFile.js"
import type { DingTalkCredentials, ResolvedDingTalk } from "./ResolvedConfig.js"

export type DingTalkFile = typeof DingTalkChannelFile.Type

/** The app's credentials when both halves are written; robotCode defaults to the clientId. */
export const credentialsOf = (
  dingtalk: Pick<DingTalkFile, "clientId" | "clientSecret" | "robotCode">,
): DingTalkCredentials | undefined =>
  dingtalk.clientId !== undefined && dingtalk.clientSecret !== undefined
    ? {
        clientId: dingtalk.clientId,
        clientSecret: Redacted.make(dingtalk.clientSecret),
        robotCode: dingtalk.robotCode ?? dingtalk.clientId,
      }
    : undefined

/** `channels.dingtalk` (or one account laid over it) with every default filled in. */
export const resolveDingTalk = (
  dingtalk: DingTalkFile,
  credentials: DingTalkCredentials | undefined,
): ResolvedDingTalk => ({
  enabled: dingtalk.enabled ?? false,
  ...(credentials === undefined ? {} : { credentials }),
  groupPolicy: dingtalk.groupPolicy ?? "mention",
  apiBase: dingtalk.apiBase ?? OPENAPI_DEFAULTS.apiBase,
  oapiBase: dingtalk.oapiBase ?? WEBHOOK_DEFAULTS.oapiBase,
  allowlists: dingtalk.allowlists ?? {},
  groups: dingtalk.groups ?? {},
  ...(dingtalk.refusalMessage === undefined || dingtalk.refusalMessage.trim() === ""
    ? {}
    : { refusalMessage: dingtalk.refusalMessage }),
  unsupportedMessageReply: dingtalk.unsupportedMessageReply ?? FRIENDLY_REPLIES.unsupportedMessage,
  maxReplyChars: dingtalk.maxReplyChars ?? 18_000,
  webhookExpiryMarginMs: dingtalk.webhookExpiryMarginMs ?? 300_000,
  maxConcurrentConversations: dingtalk.maxConcurrentConversations ?? 16,
  maxPendingMessages: dingtalk.maxPendingMessages ?? 1_000,
  sessionPerUserInGroups: dingtalk.sessionPerUserInGroups ?? false,
  qps: dingtalk.qps ?? 20,
  replyMode: dingtalk.replyMode ?? "markdown",
  card: {
    templateId: dingtalk.card?.templateId ?? CARD_DEFAULTS.templateId,
    contentKey: dingtalk.card?.contentKey ?? CARD_DEFAULTS.contentKey,
    updateIntervalMs: dingtalk.card?.updateIntervalMs ?? CARD_UPDATE_INTERVAL_MS,
    qps: dingtalk.card?.qps ?? CARD_DEFAULTS.qps,
  },
  idleTimeoutMs: dingtalk.idleTimeoutMs ?? STREAM_DEFAULTS.idleTimeoutMs,
  keepAliveMs: dingtalk.keepAliveMs ?? STREAM_DEFAULTS.keepAliveMs,
  download: {
    maxBytes: dingtalk.download?.maxBytes ?? DOWNLOAD_DEFAULTS.maxBytes,
    timeoutMs: dingtalk.download?.timeoutMs ?? DOWNLOAD_DEFAULTS.timeoutMs,
    totalTimeoutMs: dingtalk.download?.totalTimeoutMs ?? DOWNLOAD_DEFAULTS.totalTimeoutMs,
    minBytesPerSecond: dingtalk.download?.minBytesPerSecond ?? DOWNLOAD_DEFAULTS.minBytesPerSecond,
    allowPrivateHosts: dingtalk.download?.allowPrivateHosts ?? false,
  },
  uploads: {
    dir: dingtalk.uploads?.dir ?? join(homedir(), ".openpollen", "sdk-workspace", "uploads"),
    retentionDays: dingtalk.uploads?.retentionDays ?? 7,
    maxTotalBytes: (dingtalk.uploads?.maxTotalMb ?? 1024) * 1024 * 1024,
  },
})
