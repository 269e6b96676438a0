import {
  type CardCounters,
  type CardFlowStatus,
  type CardPermission,
  type CardUpdate,
  type SimCard,
  type SimCards,
  STANDARD_CARD_TEMPLATE,
} from "./CardTypes.js"
import { dropOldest } from "./dropOldest.js"

const MAX_KEPT = 20_000

interface CardState {
  outTrackId: string
  clientId: string
  templateId: string
  openSpaceId: string
  spaceType: "IM_ROBOT" | "IM_GROUP"
  conversationId: string
  createdAt: number
  flowStatus: CardFlowStatus
  params: Record<string, string>
  updates: Array<CardUpdate>
  guids: Set<string>
  finalizedAt?: number
}

const snapshot = (card: CardState): SimCard => ({
  outTrackId: card.outTrackId,
  clientId: card.clientId,
  templateId: card.templateId,
  openSpaceId: card.openSpaceId,
  spaceType: card.spaceType,
  conversationId: card.conversationId,
  createdAt: card.createdAt,
  flowStatus: card.flowStatus,
  params: { ...card.params },
  updates: [...card.updates],
  ...(card.finalizedAt === undefined ? {} : { finalizedAt: card.finalizedAt }),
})

const waitFor = <A>(
  subscribe: (listener: (card: SimCard) => void) => () => void,
  ready: () => A | undefined,
  timeoutMs: number,
  describe: string,
): Promise<A> => {
  const now = ready()
  if (now !== undefined) return Promise.resolve(now)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe()
      reject(new Error(`${describe} within ${timeoutMs} ms`))
    }, timeoutMs)
    const unsubscribe = subscribe(() => {
      const value = ready()
      if (value === undefined) return
      clearTimeout(timer)
      unsubscribe()
      resolve(value)
    })
  })
}

/** The org's cards, templates, card scopes and card QPS window. */
export class CardBoard {
  private readonly cards = new Map<string, CardState>()
  private readonly order: Array<string> = []
  private readonly listeners = new Set<(card: SimCard) => void>()
  private readonly taken = new Map<string, number>()
  private readonly templates = new Set([STANDARD_CARD_TEMPLATE])
  private permissions = new Set<CardPermission>(["Card.Instance.Write", "Card.Streaming.Write"])
  private window: Array<number> = []
  readonly counters = {
    creates: 0,
    createsRejected: 0,
    updates: 0,
    updatesRejected: 0,
    throttled: 0,
    peakQps: 0,
  } satisfies CardCounters

  constructor(private qps: number) {}

  resetCounters(): void {
    for (const key of Object.keys(this.counters) as Array<keyof CardCounters>) this.counters[key] = 0
  }

  hasTemplate = (templateId: string) => this.templates.has(templateId)
  holds = (permission: CardPermission) => this.permissions.has(permission)
  find = (outTrackId: string): CardState | undefined => this.cards.get(outTrackId)

  /** Counts a card call against the org's QPS; false when it must be answered 403 QpsLimit. */
  admit(now: number): boolean {
    this.window = this.window.filter((at) => at > now - 1000)
    if (this.window.length >= this.qps) {
      this.counters.throttled += 1
      return false
    }
    this.window.push(now)
    this.counters.peakQps = Math.max(this.counters.peakQps, this.window.length)
    return true
  }

  create(card: Omit<CardState, "flowStatus" | "updates" | "guids">): void {
    this.cards.set(card.outTrackId, { ...card, flowStatus: "PROCESSING", updates: [], guids: new Set() })
    this.order.push(card.outTrackId)
    for (const id of dropOldest(this.order, MAX_KEPT)) this.cards.delete(id)
    this.counters.creates += 1
    this.emit(card.outTrackId)
  }

  /** Applies one streaming update; a repeated guid is the same call and changes nothing. */
  stream(card: CardState, update: CardUpdate): void {
    this.counters.updates += 1
    if (card.guids.has(update.guid)) return
    card.guids.add(update.guid)
    card.updates.push(update)
    card.params[update.key] = update.isFull
      ? update.content
      : (card.params[update.key] ?? "") + update.content
    if (card.finalizedAt === undefined) {
      card.flowStatus = update.isFinalize ? (update.isError ? "FAILED" : "FINISHED") : "INPUTING"
      if (update.isFinalize) card.finalizedAt = update.at
    }
    this.emit(card.outTrackId)
  }

  private emit(outTrackId: string): void {
    const card = this.cards.get(outTrackId)
    if (card === undefined) return
    const view = snapshot(card)
    for (const listener of this.listeners) {
      try {
        listener(view)
      } catch {
        // a failing listener must not break the simulator
      }
    }
  }

  list(): Array<SimCard> {
    return this.order.flatMap((id) => {
      const card = this.cards.get(id)
      return card === undefined ? [] : [snapshot(card)]
    })
  }

  readonly api: SimCards = ((board: CardBoard): SimCards => ({
    get: (outTrackId) => {
      const card = board.cards.get(outTrackId)
      return card === undefined ? undefined : snapshot(card)
    },
    forConversation: (conversationId) =>
      board.list().filter((card) => card.conversationId === conversationId),
    waitForFinal: (outTrackId, options = {}) =>
      waitFor(
        (listener) => board.api.onChange(listener),
        () => {
          const card = board.api.get(outTrackId)
          return card?.finalizedAt === undefined ? undefined : card
        },
        options.timeoutMs ?? 5_000,
        `card ${outTrackId} was not finalized`,
      ),
    nextCard: (conversationId, options = {}) =>
      waitFor(
        (listener) => board.api.onChange(listener),
        () => {
          const index = board.taken.get(conversationId) ?? 0
          const card = board.api.forConversation(conversationId)[index]
          if (card !== undefined) board.taken.set(conversationId, index + 1)
          return card
        },
        options.timeoutMs ?? 5_000,
        `no card in ${conversationId}`,
      ),
    onChange: (listener) => {
      board.listeners.add(listener)
      return () => board.listeners.delete(listener)
    },
    addTemplate: (templateId) => void board.templates.add(templateId),
    setPermissions: (permissions) => {
      board.permissions = new Set(permissions)
    },
    setQps: (qps) => {
      board.qps = Math.max(1, qps)
    },
    get counters() {
      return { ...board.counters }
    },
    get all() {
      return board.list()
    },
  }))(this)
}
