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
import { AccessTokens, OpenApi } from "@openpollen/openapi"
import { StreamDiagnostics, StreamTransport } from "@openpollen/stream"
import { SessionWebhookSender } from "@openpollen/webhook"
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Predicate from "effect/Predicate"
import * as References from "effect/References"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ResolvedAccount, ResolvedConfig } from "../config/ResolvedConfig.js"
import { DEFAULT_ACCOUNT } from "../config/resolveAccounts.js"
import { accountAgentMemory } from "./accountAgentMemory.js"
import { accountLayers } from "./accountLayers.js"
import { type AccountStatus, accountIdentity, type TestStep } from "./ChannelStatus.js"
import { deadLetterAccess } from "./DeadLetterAccess.js"
import type { SharedLayer } from "./sharedLayers.js"

export interface AccountChannelOptions {
  readonly account: ResolvedAccount
  readonly store: ResolvedConfig["store"]
  readonly mode: "dingtalk" | "sandbox"
  /** Built on the store's AgentMemory, so with Redis every instance continues every conversation. */
  readonly agent: Layer.Layer<Agent, never, AgentMemory>
  /** The services every account of the process shares (stores, uploads, logger), built once. */
  readonly shared: Context.Context<Layer.Success<SharedLayer>>
  /** Whether log lines name the account (when the process serves several). */
  readonly annotateLogs: boolean
}

const TEST_MESSAGE = {
  title: "OpenPollen 测试消息",
  text: "这是一条来自 OpenPollen 的测试消息 ✅",
  atUserIds: [],
}

const accountLayer = (options: AccountChannelOptions) => {
  const { account, store } = options
  const { dingtalk, credentials } = account
  // The transport is built on the state, so with a journal it ACKs only what was recorded, and after everything else
  // (the uploads folder included): building it connects, and DingTalk counts an ACK as delivered.
  const transport = StreamTransport.layer({
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    apiBase: dingtalk.apiBase,
    idleTimeoutMs: dingtalk.idleTimeoutMs,
    keepAliveMs: dingtalk.keepAliveMs,
  })
  const agent =
    account.name === DEFAULT_ACCOUNT
      ? options.agent
      : options.agent.pipe(Layer.provide(accountAgentMemory(account.name)))
  const ready = Layer.mergeAll(
    SessionWebhookSender.layer({ oapiBase: dingtalk.oapiBase }),
    ChannelMetrics.layer,
    IntakeGate.layer(dingtalk.maxPendingMessages),
    agent,
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
  const shared = Layer.succeedContext(options.shared)
  const annotations = options.annotateLogs
    ? Layer.succeed(References.CurrentLogAnnotations, { account: account.name })
    : Layer.empty
  return transport.pipe(
    Layer.provideMerge(ready),
    Layer.provideMerge(accountLayers(account, store)),
    Layer.provideMerge(Layer.merge(shared, annotations)),
  )
}

/** The account's layers could not be built (e.g. the store's file is locked or damaged); the message says what to do. */
export class ChannelStartError extends Error {
  override readonly name = "ChannelStartError"
}

export type AccountChannel = Awaited<ReturnType<typeof startAccountChannel>>

/** One robot, wired: its Stream transport, Open API, session webhooks and runner, on the process's shared layers. */
export const startAccountChannel = async (options: AccountChannelOptions) => {
  const { account } = options
  const runtime = ManagedRuntime.make(accountLayer(options))
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
  const status = async (): Promise<AccountStatus> => {
    const deadLetterCount = await deadLetters.count().catch(() => undefined)
    return runtime.runPromise(
      Effect.gen(function* () {
        const diagnostics = yield* (yield* StreamDiagnostics).snapshot
        const messages = yield* (yield* ChannelMetrics).snapshot
        return {
          ...accountIdentity(account, options.mode),
          connection: diagnostics.state,
          stream: diagnostics.counters,
          messages,
          ...(deadLetterCount === undefined ? {} : { deadLetters: deadLetterCount }),
        } satisfies AccountStatus
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
            clientId: account.credentials.clientId,
            clientSecret: account.credentials.clientSecret,
            robotCode: account.credentials.robotCode,
            apiBase: account.dingtalk.apiBase,
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

  return { name: account.name, status, onConnectionChange, test, send, stop, deadLetters }
}
