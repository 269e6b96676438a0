import { dropOldest } from "./dropOldest.js"
import type { ReceivedReply } from "./SimulatorApi.js"

/** Replies kept in `all`. */
export const MAX_KEPT_REPLIES = 200_000

interface Waiter {
  readonly resolve: (reply: ReceivedReply) => void
  readonly timer: NodeJS.Timeout
}

/** Everything the bot sent, by conversation, with awaitable "next reply" cursors. */
export class Inbox {
  readonly all: Array<ReceivedReply> = []
  private readonly byConversation = new Map<string, Array<ReceivedReply>>()
  private readonly taken = new Map<string, number>()
  private readonly waiters = new Map<string, Array<Waiter>>()
  private readonly listeners = new Set<(reply: ReceivedReply) => void>()

  record(reply: ReceivedReply): void {
    this.all.push(reply)
    dropOldest(this.all, MAX_KEPT_REPLIES)
    const list = this.byConversation.get(reply.conversationId) ?? []
    list.push(reply)
    this.byConversation.set(reply.conversationId, list)
    const waiter = this.waiters.get(reply.conversationId)?.shift()
    if (waiter !== undefined) {
      clearTimeout(waiter.timer)
      this.taken.set(reply.conversationId, (this.taken.get(reply.conversationId) ?? 0) + 1)
      waiter.resolve(reply)
    }
    for (const listener of this.listeners) {
      try {
        listener(reply)
      } catch {
        // a failing listener must not break the simulator
      }
    }
  }

  next(conversationId: string, timeoutMs: number): Promise<ReceivedReply> {
    const index = this.taken.get(conversationId) ?? 0
    const ready = this.byConversation.get(conversationId)?.[index]
    if (ready !== undefined) {
      this.taken.set(conversationId, index + 1)
      return Promise.resolve(ready)
    }
    return new Promise((resolve, reject) => {
      const queue = this.waiters.get(conversationId) ?? []
      const timer = setTimeout(() => {
        const position = queue.indexOf(waiter)
        if (position !== -1) queue.splice(position, 1)
        reject(new Error(`no reply to ${conversationId} within ${timeoutMs} ms`))
      }, timeoutMs)
      const waiter: Waiter = { resolve, timer }
      queue.push(waiter)
      this.waiters.set(conversationId, queue)
    })
  }

  forConversation(conversationId: string): ReadonlyArray<ReceivedReply> {
    return this.byConversation.get(conversationId) ?? []
  }

  subscribe(listener: (reply: ReceivedReply) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  close(): void {
    for (const queue of this.waiters.values()) for (const waiter of queue) clearTimeout(waiter.timer)
    this.waiters.clear()
  }
}
