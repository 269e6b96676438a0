import { ids } from "./ids.js"

interface Session {
  readonly conversationId: string
  readonly clientId: string
  readonly expiresAt: number
  expired: boolean
}

/** Session webhooks: one per delivered message, alive for webhookLifetimeMs unless expired by hand. */
export class WebhookSessions {
  private readonly sessions = new Map<string, Session>()
  private readonly byConversation = new Map<string, Set<string>>()

  constructor(private readonly lifetimeMs: number) {}

  open(
    conversationId: string,
    clientId: string,
    createdAt: number,
  ): { readonly session: string; readonly expiresAt: number } {
    const session = ids.session()
    const expiresAt = createdAt + this.lifetimeMs
    this.sessions.set(session, { conversationId, clientId, expiresAt, expired: false })
    const set = this.byConversation.get(conversationId) ?? new Set<string>()
    set.add(session)
    this.byConversation.set(conversationId, set)
    return { session, expiresAt }
  }

  /** The live session's conversation, or undefined when it is unknown or dead. */
  resolve(session: string, now: number): Session | undefined {
    const entry = this.sessions.get(session)
    if (entry === undefined || entry.expired || entry.expiresAt <= now) return undefined
    return entry
  }

  expireConversation(conversationId: string): void {
    for (const session of this.byConversation.get(conversationId) ?? []) {
      const entry = this.sessions.get(session)
      if (entry !== undefined) entry.expired = true
    }
  }
}
