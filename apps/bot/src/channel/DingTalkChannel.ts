import {
  type Agent,
  type AgentMemory,
  ChannelMetrics,
  ChannelSettings,
  type ConnectionState,
  type DrainResult,
  IntakeGate,
  MemoryTokenStore,
  sendMarkdown,
  startChannelRunner,
  Transport,
} from "@openpollen/core"
import { LocalFileStore, LocalMediaFiles } from "@openpollen/fs"
import { AccessTokens, OpenApi } from "@openpollen/openapi"
import { StreamDiagnostics, StreamTransport } from "@openpollen/stream"
import { SessionWebhookSender } from "@openpollen/webhook"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Predicate from "effect/Predicate"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { DingTalkCredentials, ResolvedConfig, ResolvedDingTalk } from "../config/ResolvedConfig.js"
import { type ChannelStatus, maskId, type TestStep } from "./ChannelStatus.js"
import { deadLetterAccess } from "./DeadLetterAccess.js"
import { StoreHealth } from "./StoreHealth.js"
import { stateLayers } from "./stateLayers.js"

export interface DingTalkChannelOptions {
  readonly dingtalk: ResolvedDingTalk
  readonly credentials: DingTalkCredentials
  readonly store: ResolvedConfig["store"]
  readonly mode: "dingtalk" | "sandbox"
  /** Built on the store's AgentMemory, so with Redis every instance continues every conversation. */
  readonly agent: Layer.Layer<Agent, never, AgentMemory>
  readonly logger: Layer.Layer<never>
  /** The agent's workspace (`agent.workspace`): answers may send files from it and from the uploads folder. */
  readonly workspace?: string
}

const TEST_MESSAGE = {
  title: "OpenPollen 测试消息",
  text: "这是一条来自 OpenPollen 的测试消息 ✅",
  atUserIds: [],
}

const channelLayer = (options: DingTalkChannelOptions) => {
  const { dingtalk, credentials } = options
  // The transport is built on the state, so with Redis it ACKs only what the InboundJournal has recorded, and after
  // everything else (the uploads folder included): building it connects, and DingTalk counts an ACK as delivered.
  const transport = StreamTransport.layer({
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    apiBase: dingtalk.apiBase,
    idleTimeoutMs: dingtalk.idleTimeoutMs,
    keepAliveMs: dingtalk.keepAliveMs,
  })
  const ready = Layer.mergeAll(
    SessionWebhookSender.layer({ oapiBase: dingtalk.oapiBase }),
    LocalFileStore.layer({
      root: dingtalk.uploads.dir,
      maxBytes: dingtalk.download.maxBytes,
      retention: {
        maxAgeDays: dingtalk.uploads.retentionDays,
        maxTotalBytes: dingtalk.uploads.maxTotalBytes,
      },
    }),
    // Only these folders' files go out as media; relative paths in an answer are read from the workspace.
    LocalMediaFiles.layer({
      roots: [dingtalk.uploads.dir, ...(options.workspace === undefined ? [] : [options.workspace])],
      baseDir: options.workspace ?? dingtalk.uploads.dir,
    }),
    ChannelMetrics.layer,
    IntakeGate.layer(dingtalk.maxPendingMessages),
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
        groups: dingtalk.groups,
        ...(dingtalk.refusalMessage === undefined ? {} : { refusalMessage: dingtalk.refusalMessage }),
        unsupportedMessageReply: dingtalk.unsupportedMessageReply,
        replyMode: dingtalk.replyMode,
        cardUpdateIntervalMs: dingtalk.card.updateIntervalMs,
      }),
    ),
  )
  return transport.pipe(
    Layer.provideMerge(ready),
    Layer.provideMerge(stateLayers(options)),
    Layer.provideMerge(options.logger),
  )
}

/** The channel's layers could not be built (e.g. the store's file is locked or damaged); the message says what to do. */
export class ChannelStartError extends Error {
  override readonly name = "ChannelStartError"
}

export type DingTalkChannel = Awaited<ReturnType<typeof startDingTalkChannel>>

/** The DingTalk channel, wired: Stream transport, Open API, session webhooks, uploads, agent and the runner. */
export const startDingTalkChannel = async (options: DingTalkChannelOptions) => {
  const runtime = ManagedRuntime.make(channelLayer(options))
  const scope = Scope.makeUnsafe()
  const started = await runtime.runPromiseExit(startChannelRunner.pipe(Scope.provide(scope)))
  if (Exit.isFailure(started)) {
    await runtime.dispose().catch(() => undefined)
    const failure = Cause.squash(started.cause)
    throw new ChannelStartError(
      Predicate.hasProperty(failure, "message") && Predicate.isString(failure.message)
        ? failure.message
        : "the channel could not start",
    )
  }
  const runner = started.value

  const deadLetters = deadLetterAccess(runtime)
  const status = async (): Promise<ChannelStatus> => {
    const deadLetterCount = await deadLetters.count().catch(() => undefined)
    return runtime.runPromise(
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
          replyMode: options.dingtalk.replyMode,
          connection: diagnostics.state,
          stream: diagnostics.counters,
          messages,
          ...(deadLetterCount === undefined ? {} : { deadLetters: deadLetterCount }),
        } satisfies ChannelStatus
      }),
    )
  }

  /** Calls `listener` with the connection's state now and at every change, until the channel stops. */
  const onConnectionChange = (listener: (state: ConnectionState) => void): void => {
    runtime.runFork(
      Effect.gen(function* () {
        const transport = yield* Transport
        yield* Stream.runForEach(transport.stateChanges, (state) => Effect.sync(() => listener(state)))
      }).pipe(Effect.forkIn(scope)),
    )
  }

  /** Whether the store can record messages (a bot that cannot record ACKs nothing and answers nothing). */
  const health = (): Promise<{ readonly ok: boolean; readonly reason?: string }> =>
    runtime.runPromise(
      Effect.gen(function* () {
        yield* (yield* StoreHealth).check
      }).pipe(
        Effect.timeoutOrElse({
          duration: "3 seconds",
          orElse: () => Effect.fail({ message: "no answer in 3 s" }),
        }),
        Effect.match({
          onFailure: (error) => ({ ok: false, reason: `the store cannot record messages: ${error.message}` }),
          onSuccess: () => ({ ok: true }),
        }),
      ),
    )

  const send = (to: string, message: { readonly title?: string; readonly text: string }) =>
    runtime.runPromise(
      sendMarkdown(to, message.text, message.title).pipe(
        Effect.match({
          onFailure: (error) => ({ ok: false as const, detail: error.message }),
          onSuccess: (sent) => ({
            ok: true as const,
            detail: `sent to ${to.startsWith("cid") ? "group" : "user"} ${to} in ${sent.delivered} part(s)`,
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

  /** Whether messages left unanswered at a stop stay in a journal for the next start (sqlite, redis). */
  const keepsUnanswered = options.store.kind !== "memory"

  return { status, health, onConnectionChange, test, send, stop, keepsUnanswered, deadLetters }
}
