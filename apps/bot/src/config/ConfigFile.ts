import { GROUP_POLICIES } from "@openpollen/core"
import { OPENAPI_DEFAULTS } from "@openpollen/openapi/defaults"
import { MIN_IDLE_TIMEOUT_MS, MIN_KEEP_ALIVE_MS, STREAM_DEFAULTS } from "@openpollen/stream/defaults"
import { WEBHOOK_DEFAULTS } from "@openpollen/webhook/defaults"
import * as Schema from "effect/Schema"

const described = <S extends Schema.Top>(schema: S, description: string) => schema.annotate({ description })
const optional = <S extends Schema.Top>(schema: S, description: string) =>
  Schema.optionalKey(described(schema, description))
const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0))
/** An integer in [minimum, maximum]; a value outside is refused with the range in the message. */
const Between = (minimum: number, maximum: number) => Schema.Int.check(Schema.isBetween({ minimum, maximum }))
const TimeoutMs = Between(100, 3_600_000)
const Port = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 65_535 }))
const StringList = Schema.Array(Schema.String)

const GroupSettingsFile = Schema.Struct({
  enabled: optional(Schema.Boolean, "false: ignore every message of this group. Default true."),
  groupPolicy: optional(
    Schema.Literals(GROUP_POLICIES),
    "Overrides the channel's groupPolicy in this group.",
  ),
  systemPrompt: optional(Schema.String, "Instructions the agent gets with every message of this group."),
  replyMode: optional(
    Schema.Literals(["markdown", "card"]),
    "How answers are delivered in this group: Markdown messages or an AI card.",
  ),
})

/** What one robot may set for itself; `channels.dingtalk` holds the same keys as the defaults of every account. */
const accountFields = {
  enabled: optional(Schema.Boolean, "Run the DingTalk channel. Default false."),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
  clientId: optional(Schema.String, "The app's AppKey (clientId). Use ${DINGTALK_CLIENT_ID}."),
  clientSecret: optional(
    Schema.String,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
    "The app's AppSecret (clientSecret). Use ${DINGTALK_CLIENT_SECRET}; never inline it.",
  ),
  robotCode: optional(
    Schema.String,
    "The robot's code; empty or absent means the clientId (internal-app robots).",
  ),
  groupPolicy: optional(
    Schema.Literals(GROUP_POLICIES),
    "In groups, answer only @-mentions (default) or every message.",
  ),
  allowlists: optional(
    Schema.Struct({
      dmSenders: optional(StringList, "Only these DM senders (staffId or dingtalkId) are answered."),
      groups: optional(StringList, "Only these group conversationIds are answered."),
      groupSenders: optional(StringList, "Only these senders are answered in groups."),
    }),
    "Deny everything not listed, per list, when a list is set.",
  ),
  groups: optional(
    Schema.Record(Schema.String, GroupSettingsFile),
    'Per-group settings by conversationId (cid…); "*" applies to every group, a group\'s own entry wins key by key.',
  ),
  refusalMessage: optional(
    Schema.String,
    "A one-line answer to someone an allowlist refuses (at most once per sender, conversation and hour). Default: silence.",
  ),
  unsupportedMessageReply: optional(
    Schema.String,
    'The answer to a message type the bot cannot read; "" stays silent. Default: a Chinese and English one-liner.',
  ),
  maxReplyChars: optional(
    Between(1, 20_000),
    "Replies longer than this are truncated with a notice. Default 18000.",
  ),
  webhookExpiryMarginMs: optional(
    Between(0, 3_600_000),
    "Treat a session webhook as expired this early. Default 300000.",
  ),
  maxConcurrentConversations: optional(Between(1, 4_096), "Conversations answered at once. Default 16."),
  maxPendingMessages: optional(
    Between(1, 1_000_000),
    "Messages accepted but not yet answered, at most; past it, callbacks are left un-ACKed and DingTalk redelivers them later. Default 1000.",
  ),
  sessionPerUserInGroups: optional(
    Schema.Boolean,
    "One agent session per group member instead of per group.",
  ),
  qps: optional(Between(1, 1_000), "Open API calls per second for the app. Default 20."),
  replyMode: optional(
    Schema.Literals(["markdown", "card"]),
    "markdown (default): one message with the whole answer; card: an AI card that fills in while the agent streams.",
  ),
  card: optional(
    Schema.Struct({
      templateId: optional(
        Schema.String.check(Schema.isNonEmpty()),
        "The AI card template. Default 382e4302-551d-4880-bf29-a30acfab2e71.schema (the standard AI card).",
      ),
      contentKey: optional(
        Schema.String.check(Schema.isNonEmpty()),
        "The template variable the answer streams into. Default content.",
      ),
      updateIntervalMs: optional(PositiveInt, "At most one update per card in this long. Default 300."),
      qps: optional(Between(1, 1_000), "Card API calls per second for the whole app. Default 20."),
    }),
    "AI cards (replyMode card).",
  ),
  idleTimeoutMs: optional(
    Schema.Int.check(Schema.isGreaterThanOrEqualTo(MIN_IDLE_TIMEOUT_MS)),
    `Replace a Stream connection silent for this long. At least ${MIN_IDLE_TIMEOUT_MS}. Default ${STREAM_DEFAULTS.idleTimeoutMs}.`,
  ),
  keepAliveMs: optional(
    Schema.Int.check(Schema.isGreaterThanOrEqualTo(MIN_KEEP_ALIVE_MS)),
    `Ping the Stream connection this often; no answer by the next ping replaces it. At least ${MIN_KEEP_ALIVE_MS}. Default ${STREAM_DEFAULTS.keepAliveMs}.`,
  ),
}

/** A name the logs, metrics and store keys use: letters, digits, `-` and `_`, starting with a letter. */
export const ACCOUNT_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/

export const DingTalkAccountFile = Schema.Struct(accountFields)

export const DingTalkChannelFile = Schema.Struct({
  ...accountFields,
  apiBase: optional(
    Schema.String,
    `Open API and Stream gateway origin. Default ${OPENAPI_DEFAULTS.apiBase}.`,
  ),
  oapiBase: optional(
    Schema.String,
    `Origin session webhooks must live on. Default ${WEBHOOK_DEFAULTS.oapiBase}.`,
  ),
  download: optional(
    Schema.Struct({
      maxBytes: optional(Between(1, 1_073_741_824), "Largest attachment downloaded. Default 20 MiB."),
      timeoutMs: optional(TimeoutMs, "Download stall timeout. Default 60000."),
      totalTimeoutMs: optional(TimeoutMs, "A whole download must finish within this. Default 120000."),
      minBytesPerSecond: optional(
        PositiveInt,
        "A download slower than this, averaged over 10 s, is aborted. Default 16384.",
      ),
      allowPrivateHosts: optional(
        Schema.Boolean,
        "Let download URLs lead to private, loopback or link-local addresses. Default false.",
      ),
    }),
    "Attachment downloads.",
  ),
  uploads: optional(
    Schema.Struct({
      dir: optional(Schema.String, "Where downloads are saved. Default ~/.openpollen/sdk-workspace/uploads."),
      retentionDays: optional(Between(1, 3_650), "Saved files older than this are removed. Default 7."),
      maxTotalMb: optional(Between(1, 1_048_576), "The oldest files go past this total. Default 1024."),
    }),
    "The uploads folder.",
  ),
  accounts: optional(
    // Names are checked with the rules between accounts: a key that fails a record's key schema reads "excess property".
    Schema.Record(Schema.String, DingTalkAccountFile),
    'Several robots in one process, by account name: each has its own clientId/clientSecret and Stream connection; keys it leaves out are taken from channels.dingtalk. clientId/clientSecret written on channels.dingtalk itself are the account "default".',
  ),
})

export const ConfigFile = Schema.Struct({
  $schema: optional(Schema.String, "Editor completion: ./openpollen.schema.json"),
  channels: optional(
    Schema.Struct({ dingtalk: optional(DingTalkChannelFile, "The DingTalk channel.") }),
    "Channels.",
  ),
  agent: optional(
    Schema.Struct({
      provider: optional(
        Schema.Literals(["echo", "openai", "anthropic"]),
        "Which agent answers: echo (default), openai (any OpenAI-compatible endpoint), anthropic (Claude).",
      ),
      workspace: optional(
        Schema.String,
        "A folder the agent's read_file tool may read besides the uploads folder. Default none.",
      ),
      echo: optional(
        Schema.Struct({
          chunkDelayMs: optional(
            Between(0, 60_000),
            "A pause before each streamed chunk, so a streamed reply can be watched. Default 0.",
          ),
        }),
        "Settings of the echo provider.",
      ),
      openai: optional(
        Schema.Struct({
          baseUrl: optional(Schema.String, "An OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1."),
          // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
          apiKey: optional(Schema.String, "Use ${OPENAI_API_KEY}."),
          model: optional(Schema.String, "Model name."),
          timeoutMs: optional(
            TimeoutMs,
            "Until the answer starts, and between two streamed chunks. Default 60000.",
          ),
          maxHistoryMessages: optional(Between(1, 10_000), "Messages kept per session. Default 20."),
          systemPrompt: optional(Schema.String, "An optional system prompt."),
          tools: optional(
            Schema.Boolean,
            "Offer the read_file tool (function calling). Set false for models without tool support. Default true.",
          ),
        }),
        "Settings of the openai provider.",
      ),
      anthropic: optional(
        Schema.Struct({
          baseUrl: optional(
            Schema.String,
            "The Messages API origin (without /v1). Default https://api.anthropic.com.",
          ),
          // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
          apiKey: optional(Schema.String, "Use ${ANTHROPIC_API_KEY}."),
          model: optional(Schema.String, "Model id. Default claude-sonnet-4-5."),
          maxTokens: optional(Between(1, 1_000_000), "Most tokens per answer. Default 4096."),
          timeoutMs: optional(
            TimeoutMs,
            "Until the answer starts, and between two streamed events. Default 60000.",
          ),
          maxHistoryMessages: optional(Between(1, 10_000), "Messages kept per session. Default 20."),
          systemPrompt: optional(Schema.String, "An optional system prompt."),
        }),
        "Settings of the anthropic provider.",
      ),
    }),
    "The agent.",
  ),
  gateway: optional(
    Schema.Struct({
      host: optional(Schema.String, "Bind address. Default 127.0.0.1."),
      port: optional(Port, "Port. Default 18800; 0 picks a free one."),
      apiKey: optional(Schema.String, "Required when host is not loopback: Authorization: Bearer <apiKey>."),
    }),
    "The local gateway API.",
  ),
  sandbox: optional(
    Schema.Struct({ port: optional(Port, "Chat page port. Default 18801.") }),
    "The local sandbox.",
  ),
  store: optional(
    Schema.Struct({
      kind: optional(
        Schema.Literals(["sqlite", "memory", "redis", "file"]),
        "Where state lives: sqlite (default with credentials: one durable file, nothing lost on a crash), memory (default in the sandbox: lost on exit) or redis (shared by several instances). file is deprecated and read as sqlite.",
      ),
      path: optional(
        Schema.String,
        "sqlite only: the database file. Default ~/.openpollen/state/openpollen.sqlite (created 0600).",
      ),
      url: optional(
        Schema.String,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
        "redis only, required: redis[s]://[:password@]host[:port][/db]. Use ${REDIS_URL}; never logged unmasked.",
      ),
      keyPrefix: optional(Schema.String, "redis only: prefix of every key. Default openpollen:."),
      leaseMs: optional(
        Between(1_000, 3_600_000),
        "redis: a dead instance's messages are taken over after this long; sqlite: a message put back comes back after this long. Default 30000.",
      ),
      maxDeliveries: optional(
        Between(1, 1_000),
        "sqlite and redis: a received message handed out this many times unanswered goes to the dead letters. Default 5.",
      ),
      dedupeTtlMs: optional(
        Between(300_000, 2_592_000_000),
        "sqlite and redis: how long the ids of answered messages are kept, so a redelivery is not answered twice. Default 86400000 (24 h).",
      ),
      historyTtlMs: optional(
        Between(60_000, 31_536_000_000),
        "sqlite and redis: the agent's history of a conversation nobody wrote to for this long is dropped. Default 604800000 (7 days).",
      ),
    }),
    "State stores.",
  ),
  log: optional(
    Schema.Struct({
      level: optional(Schema.Literals(["debug", "info", "warning", "error"]), "Default info."),
    }),
    "Logging.",
  ),
})

export type ConfigFile = typeof ConfigFile.Type
