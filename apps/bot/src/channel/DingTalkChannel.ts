import { join } from "node:path"
import {
  type Agent,
  type AgentMemory,
  ChannelMetrics,
  ChannelSettings,
  type DrainResult,
  MemoryAgentMemory,
  MemoryConversationStore,
  MemoryDedupeStore,
  MemoryTokenStore,
  RobotMessenger,
  startChannelRunner,
} from "@openpollen/core"
import { FileTokenStore, LocalFileStore } from "@openpollen/fs"
import { AccessTokens, OpenApi } from "@openpollen/openapi"
import { StreamDiagnostics, StreamTransport } from "@openpollen/stream"
import { SessionWebhookSender } from "@openpollen/webhook"
import { Effect, Exit, Layer, ManagedRuntime, Scope } from "effect"
import type { DingTalkCredentials, ResolvedConfig, ResolvedDingTalk } from "../config/ResolvedConfig.js"
import { type ChannelStatus, maskId, type TestStep } from "./ChannelStatus.js"

export interface DingTalkChannelOptions {
  readonly dingtalk: ResolvedDingTalk
  readonly credentials: DingTalkCredentials
  readonly store: ResolvedConfig["store"]
  readonly mode: "dingtalk" | "sandbox"
  /** Built on the store's AgentMemory, so with Redis every instance continues every conversation. */
  readonly agent: Layer.Layer<Agent, never, AgentMemory>
  readonly logger: Layer.Layer<never>
}

const TEST_MESSAGE = {
  title: "OpenPollen 测试消息",
  text: "这是一条来自 OpenPollen 的测试消息 ✅",
  atUserIds: [],
}

const stateLayers = (options: DingTalkChannelOptions) => {
  const { dingtalk, credentials, store } = options
  const openApi = {
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    robotCode: credentials.robotCode,
    apiBase: dingtalk.apiBase,
    qps: dingtalk.qps,
    download: dingtalk.download,
  }
  if (store.kind !== "redis") {
    const tokens =
      store.kind === "file"
        ? FileTokenStore.layer({ path: join(store.stateDir, "tokens.json") })
        : MemoryTokenStore.layer
    const stores = Layer.mergeAll(
      tokens,
      MemoryDedupeStore.layer({ ttlMs: 600_000, maxEntries: 50_000 }),
      MemoryConversationStore.layer(),
      MemoryAgentMemory.layer(),
    )
    return OpenApi.layer(openApi).pipe(Layer.provideMerge(stores))
  }
  // Instances share dedupe claims, the access token (one fetches at a time), reply routes, received messages, the
  // agent's conversation history and a lease per conversation (one instance runs the agent for it at a time).
  // The Redis client is loaded only for this store.
  return Layer.unwrap(
    Effect.map(
      Effect.promise(() => import("@openpollen/redis")),
      ({ RedisRefreshLock, RedisStores }) => {
        const stores = RedisStores.layer({
          url: store.url,
          keyPrefix: store.keyPrefix,
          dedupe: { inFlightTtlMs: store.leaseMs },
          journal: { leaseMs: store.leaseMs, maxDeliveries: store.maxDeliveries },
          agentMemory: { idleTtlMs: store.historyTtlMs },
          conversationLease: { leaseMs: store.leaseMs },
        })
        const lockedOpenApi = Layer.unwrap(
          Effect.map(Effect.service(RedisRefreshLock), (lock) =>
            OpenApi.layer({ ...openApi, refreshLock: lock.withLock }),
          ),
        )
        return lockedOpenApi.pipe(Layer.provideMerge(stores))
      },
    ),
  )
}

const channelLayer = (options: DingTalkChannelOptions) => {
  const { dingtalk, credentials } = options
  // The transport is built on the state, so with Redis it ACKs only what the InboundJournal has recorded.
  return Layer.mergeAll(
    StreamTransport.layer({
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      apiBase: dingtalk.apiBase,
      idleTimeoutMs: dingtalk.idleTimeoutMs,
    }),
    SessionWebhookSender.layer({ oapiBase: dingtalk.oapiBase }),
    LocalFileStore.layer({
      root: dingtalk.uploads.dir,
      maxBytes: dingtalk.download.maxBytes,
      retention: {
        maxAgeDays: dingtalk.uploads.retentionDays,
        maxTotalBytes: dingtalk.uploads.maxTotalBytes,
      },
    }),
    ChannelMetrics.layer,
    options.agent,
    Layer.succeed(
      ChannelSettings,
      ChannelSettings.of({
        robotCode: credentials.robotCode,
        groupPolicy: dingtalk.groupPolicy,
        allowlists: dingtalk.allowlists,
        webhookExpiryMarginMs: dingtalk.webhookExpiryMarginMs,
        maxConcurrentConversations: dingtalk.maxConcurrentConversations,
        maxReplyChars: dingtalk.maxReplyChars,
        sessionPerUserInGroups: dingtalk.sessionPerUserInGroups,
      }),
    ),
  ).pipe(Layer.provideMerge(stateLayers(options)), Layer.provideMerge(options.logger))
}

export type DingTalkChannel = Awaited<ReturnType<typeof startDingTalkChannel>>

/** The DingTalk channel, wired: Stream transport, Open API, session webhooks, uploads, agent and the runner. */
export const startDingTalkChannel = async (options: DingTalkChannelOptions) => {
  const runtime = ManagedRuntime.make(channelLayer(options))
  const scope = Scope.makeUnsafe()
  const runner = await runtime.runPromise(startChannelRunner.pipe(Scope.provide(scope)))

  const status = (): Promise<ChannelStatus> =>
    runtime.runPromise(
      Effect.gen(function* () {
        const diagnostics = yield* (yield* StreamDiagnostics).snapshot
        const messages = yield* (yield* ChannelMetrics).snapshot
        return {
          channel: "dingtalk",
          enabled: true,
          mode: options.mode,
          clientId: maskId(options.credentials.clientId),
          robotCode: maskId(options.credentials.robotCode),
          groupPolicy: options.dingtalk.groupPolicy,
          connection: diagnostics.state,
          stream: diagnostics.counters,
          messages,
        } satisfies ChannelStatus
      }),
    )

  const send = (to: string, message: { readonly title: string; readonly text: string }) =>
    runtime.runPromise(
      Effect.gen(function* () {
        const messenger = yield* RobotMessenger
        const markdown = { ...message, atUserIds: [] }
        yield* to.startsWith("cid")
          ? messenger.sendToGroup(to, markdown)
          : messenger.sendToUsers([to], markdown)
      }).pipe(
        Effect.match({
          onFailure: (error) => ({ ok: false as const, detail: error.message }),
          onSuccess: () => ({
            ok: true as const,
            detail: `sent to ${to.startsWith("cid") ? "group" : "user"} ${to}`,
          }),
        }),
      ),
    )

  const test = async (to?: string): Promise<ReadonlyArray<TestStep>> => {
    // A fresh token with the configured secret, never the cached one: a secret reset in the developer console must
    // show here now, not when the cached token expires hours later.
    const credentials = await Effect.runPromise(
      Effect.gen(function* () {
        yield* (yield* AccessTokens).get
      }).pipe(
        Effect.provide(
          OpenApi.layer({
            clientId: options.credentials.clientId,
            clientSecret: options.credentials.clientSecret,
            robotCode: options.credentials.robotCode,
            apiBase: options.dingtalk.apiBase,
            requestTimeoutMs: 8_000,
          }).pipe(Layer.provide(MemoryTokenStore.layer)),
        ),
        Effect.match({
          onFailure: (error): TestStep => ({ step: "credentials", ok: false, detail: error.message }),
          onSuccess: (): TestStep => ({
            step: "credentials",
            ok: true,
            detail: "DingTalk issued a new access token for the configured secret",
          }),
        }),
      ),
    )
    const { connection } = await status()
    const stream: TestStep =
      connection?._tag === "Connected"
        ? { step: "stream", ok: true, detail: `connected since ${new Date(connection.since).toISOString()}` }
        : {
            step: "stream",
            ok: false,
            detail:
              connection?._tag === "BackingOff"
                ? `not connected: ${connection.lastError}`
                : `not connected (${connection?._tag ?? "unknown"})`,
          }
    if (to === undefined) return [credentials, stream]
    const sent = await send(to, TEST_MESSAGE)
    return [credentials, stream, { step: "send", ...sent }]
  }

  const stop = async (timeoutMs: number): Promise<DrainResult> => {
    const drained = await runtime.runPromise(runner.drain(timeoutMs))
    await runtime.runPromise(Scope.close(scope, Exit.void))
    await runtime.dispose()
    return drained
  }

  return { status, test, send, stop }
}
