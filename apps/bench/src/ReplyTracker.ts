import { performance } from "node:perf_hooks"
import type { SimApp, SimConversation, SimUser, Simulator } from "@openpollen/simulator"

const TOKEN = /bench-\d+-\d+/g

export interface Chat {
  readonly conversation: SimConversation
  readonly user: SimUser
}

/** Direct-message chats with fresh users. */
export const makeChats = (sim: Simulator, count: number): ReadonlyArray<Chat> =>
  Array.from({ length: count }, (_, index) => {
    const user = sim.addUser({ nick: `bench user ${index}` })
    return { conversation: sim.dm(user), user }
  })

export const first = (chats: ReadonlyArray<Chat>): Chat => {
  const chat = chats[0]
  if (chat === undefined) throw new Error("no chats")
  return chat
}

/**
 * Matches replies to the messages that caused them: every message carries a unique `bench-<tracker>-<n>` token, which both bots
 * echo back. Times are taken with performance.now() when the webhook request reaches the simulator.
 */
export class ReplyTracker {
  private nextToken = 0
  private readonly sentAt = new Map<string, number>()
  private readonly answeredAt = new Map<string, number>()
  private readonly waiters = new Map<string, () => void>()
  private readonly unsubscribe: () => void
  duplicates = 0

  constructor(
    private readonly sim: Simulator,
    private readonly id: number,
  ) {
    this.unsubscribe = sim.onReply((reply) => {
      const now = performance.now()
      for (const token of reply.text.match(TOKEN) ?? []) {
        if (!this.sentAt.has(token)) continue
        if (this.answeredAt.has(token)) {
          this.duplicates += 1
          continue
        }
        this.answeredAt.set(token, now)
        this.waiters.get(token)?.()
        this.waiters.delete(token)
      }
    })
  }

  /** Pushes one text message; resolves with its end-to-end latency in ms once answered. */
  send(
    app: SimApp,
    chat: Chat,
    extraText = "",
  ): { readonly token: string; readonly answered: Promise<number> } {
    const token = `bench-${this.id}-${this.nextToken++}`
    const sentAt = performance.now()
    this.sentAt.set(token, sentAt)
    const answered = new Promise<number>((resolve) => {
      this.waiters.set(token, () => resolve((this.answeredAt.get(token) as number) - sentAt))
    })
    this.sim
      .sendText(chat.conversation, chat.user, `${token}${extraText}`, { clientId: app.clientId })
      .catch(() => undefined)
    return { token, answered }
  }

  /** Messages sent but never answered. */
  get lost(): number {
    return this.sentAt.size - this.answeredAt.size
  }

  close(): void {
    this.unsubscribe()
  }
}

/** Rejects when `promise` has not settled within `ms`. */
export const within = <A>(promise: Promise<A>, ms: number, what: string): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
