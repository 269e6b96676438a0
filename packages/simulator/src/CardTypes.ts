// The simulated AI-card API as the scenario API exposes it.

export type CardFlowStatus = "PROCESSING" | "INPUTING" | "FINISHED" | "FAILED"

/** One accepted `PUT /v1.0/card/streaming`. */
export interface CardUpdate {
  readonly at: number
  readonly guid: string
  readonly key: string
  readonly content: string
  readonly isFull: boolean
  readonly isFinalize: boolean
  readonly isError: boolean
}

export interface SimCard {
  readonly outTrackId: string
  readonly clientId: string
  readonly templateId: string
  /** `dtv1.card//IM_ROBOT.<staffId>` or `dtv1.card//IM_GROUP.<openConversationId>`. */
  readonly openSpaceId: string
  readonly spaceType: "IM_ROBOT" | "IM_GROUP"
  /** The group, or the DM of the receiving user. */
  readonly conversationId: string
  readonly createdAt: number
  readonly flowStatus: CardFlowStatus
  /** cardParamMap after every update, by key. */
  readonly params: Readonly<Record<string, string>>
  readonly updates: ReadonlyArray<CardUpdate>
  readonly finalizedAt?: number
}

export type CardPermission = "Card.Instance.Write" | "Card.Streaming.Write"

export interface CardCounters {
  readonly creates: number
  readonly createsRejected: number
  readonly updates: number
  readonly updatesRejected: number
  /** Calls answered 403 QpsLimit because the org exceeded its card QPS. */
  readonly throttled: number
  /** Most card calls the org made in any one-second window. */
  readonly peakQps: number
}

export interface SimCards {
  /** Every card created, in creation order. */
  readonly all: ReadonlyArray<SimCard>
  get(outTrackId: string): SimCard | undefined
  forConversation(conversationId: string): ReadonlyArray<SimCard>
  /** Resolves with the card once it is finalized (FINISHED or FAILED). Rejects after timeoutMs (default 5000). */
  waitForFinal(outTrackId: string, options?: { readonly timeoutMs?: number }): Promise<SimCard>
  /** Resolves with the next card created in that conversation. Rejects after timeoutMs (default 5000). */
  nextCard(conversationId: string, options?: { readonly timeoutMs?: number }): Promise<SimCard>
  /** Called after every create and every accepted update. */
  onChange(listener: (card: SimCard) => void): () => void
  /** Templates the org has published. Default: the standard AI card template. */
  addTemplate(templateId: string): void
  /** Scopes the app holds. Default: both. */
  setPermissions(permissions: ReadonlyArray<CardPermission>): void
  /** Card calls per second the org may make (create and streaming together). Default 40. */
  setQps(qps: number): void
  readonly counters: CardCounters
}

export const STANDARD_CARD_TEMPLATE = "382e4302-551d-4880-bf29-a30acfab2e71.schema"
