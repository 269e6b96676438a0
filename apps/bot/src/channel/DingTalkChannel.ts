import type { Agent, AgentMemory, ConnectionState, DrainResult } from "@openpollen/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Predicate from "effect/Predicate"
import type {
  DingTalkCredentials,
  ResolvedAccount,
  ResolvedConfig,
  ResolvedDingTalk,
} from "../config/ResolvedConfig.js"
import { DEFAULT_ACCOUNT } from "../config/resolveAccounts.js"
import { type AccountChannel, ChannelStartError, startAccountChannel } from "./AccountChannel.js"
import { accountsDeadLetters } from "./accountsDeadLetters.js"
import { type AccountStatus, accountIdentity, type ChannelStatus, type TestStep } from "./ChannelStatus.js"
import { StoreHealth } from "./StoreHealth.js"
import { sharedLayers } from "./sharedLayers.js"

export { ChannelStartError }

export interface DingTalkChannelOptions {
  /** The channel's own settings; the uploads folder and downloads are the process's, shared by every account. */
  readonly dingtalk: ResolvedDingTalk
  /** The single-robot form: one account, `default`, with `dingtalk`'s settings. */
  readonly credentials?: DingTalkCredentials
  /** Every robot to serve; takes the place of `credentials`. */
  readonly accounts?: ReadonlyArray<ResolvedAccount>
  readonly store: ResolvedConfig["store"]
  readonly mode: "dingtalk" | "sandbox"
  /** Built on the store's AgentMemory, so with Redis every instance continues every conversation. */
  readonly agent: Layer.Layer<Agent, never, AgentMemory>
  readonly logger: Layer.Layer<never>
  /** The agent's workspace (`agent.workspace`): answers may send files from it and from the uploads folder. */
  readonly workspace?: string
}

const messageOf = (cause: Cause.Cause<unknown>, otherwise: string): string => {
  const failure = Cause.squash(cause)
  return Predicate.hasProperty(failure, "message") && Predicate.isString(failure.message)
    ? failure.message
    : otherwise
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : "the account could not start")

export type DingTalkChannel = Awaited<ReturnType<typeof startDingTalkChannel>>

/**
 * The DingTalk channel: one Stream connection, Open API and runner per account, all on one set of shared layers
 * (the store, the uploads folder, the logger). An account that cannot start or connect reports it in its status;
 * the others serve on. Throws ChannelStartError only when the shared layers or every account fail to start.
 */
export const startDingTalkChannel = async (options: DingTalkChannelOptions) => {
  const accounts: ReadonlyArray<ResolvedAccount> =
    options.accounts ??
    (options.credentials === undefined
      ? []
      : [
          {
            name: DEFAULT_ACCOUNT,
            credentials: options.credentials,
            dingtalk: { ...options.dingtalk, credentials: options.credentials },
          },
        ])
  const shared = ManagedRuntime.make(
    sharedLayers({
      store: options.store,
      dingtalk: options.dingtalk,
      logger: options.logger,
      ...(options.workspace === undefined ? {} : { workspace: options.workspace }),
    }),
  )
  const built = await shared.runPromiseExit(shared.contextEffect)
  if (Exit.isFailure(built)) {
    await shared.dispose().catch(() => undefined)
    throw new ChannelStartError(messageOf(built.cause, "the channel could not start"))
  }
  const started = await Promise.allSettled(
    accounts.map((account) =>
      startAccountChannel({
        account,
        store: options.store,
        mode: options.mode,
        agent: options.agent,
        shared: built.value,
        annotateLogs: accounts.length > 1,
      }),
    ),
  )
  const running = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []))
  const failed = new Map<string, string>(
    started.flatMap((result, index) =>
      result.status === "rejected" ? [[accounts[index]?.name ?? "", errorText(result.reason)] as const] : [],
    ),
  )
  if (running.length === 0) {
    await shared.dispose().catch(() => undefined)
    throw new ChannelStartError([...failed.values()][0] ?? "no DingTalk account is configured")
  }
  const byName = new Map<string, AccountChannel>(running.map((channel) => [channel.name, channel]))

  const notStarted = (account: ResolvedAccount): AccountStatus => ({
    ...accountIdentity(account, options.mode),
    startError: failed.get(account.name) ?? "not started",
  })

  const status = async (): Promise<ChannelStatus> => {
    const each = await Promise.all(
      accounts.map((account) => byName.get(account.name)?.status() ?? notStarted(account)),
    )
    const first = each[0] ?? notStarted(accounts[0] as ResolvedAccount)
    return {
      channel: "dingtalk",
      ...first,
      accounts: Object.fromEntries(each.map((account) => [account.account ?? "", account])),
    }
  }

  /** Whether the store can record messages (a bot that cannot record ACKs nothing and answers nothing). */
  const health = (): Promise<{ readonly ok: boolean; readonly reason?: string }> =>
    shared.runPromise(
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

  /** `account` absent: every account (each step names its account when there are several). */
  const test = async (to?: string, account?: string): Promise<ReadonlyArray<TestStep> | undefined> => {
    const chosen = account === undefined ? accounts : accounts.filter((each) => each.name === account)
    if (chosen.length === 0) return undefined
    const named = accounts.length > 1
    const steps = await Promise.all(
      chosen.map(async (each): Promise<ReadonlyArray<TestStep>> => {
        const channel = byName.get(each.name)
        const own =
          channel === undefined
            ? [{ step: "stream" as const, ok: false, detail: `not started: ${notStarted(each).startError}` }]
            : await channel.test(to)
        return named ? own.map((step) => ({ ...step, account: each.name })) : own
      }),
    )
    return steps.flat()
  }

  /** From `account`, else the first account that runs; undefined when no such account runs. */
  const send = (to: string, message: { readonly title?: string; readonly text: string }, account?: string) =>
    (account === undefined ? running[0] : byName.get(account))?.send(to, message) ??
    Promise.resolve(undefined)

  const deadLetters = accountsDeadLetters(running)

  /** Calls `listener` with each account's connection state now and at every change, until the channel stops. */
  const onConnectionChange = (listener: (state: ConnectionState, account: string) => void): void => {
    for (const channel of running) channel.onConnectionChange((state) => listener(state, channel.name))
  }

  const stop = async (timeoutMs: number): Promise<DrainResult> => {
    const drained = await Promise.all(running.map((channel) => channel.stop(timeoutMs)))
    await shared.dispose()
    return {
      drained: drained.every((result) => result.drained),
      pending: drained.reduce((sum, result) => sum + result.pending, 0),
    }
  }

  /** Whether messages left unanswered at a stop stay in a journal for the next start (sqlite, redis). */
  const keepsUnanswered = options.store.kind !== "memory"

  return {
    accounts,
    failed,
    status,
    health,
    onConnectionChange,
    test,
    send,
    stop,
    keepsUnanswered,
    deadLetters,
  }
}
