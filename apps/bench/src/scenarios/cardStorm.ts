import type { SimApp, SimCard, Simulator } from "@openpollen/simulator"
import { makeChats, sleep } from "../ReplyTracker.js"
import type { StreamingModel } from "../streamingModel.js"

export interface CardStormResult {
  readonly conversations: number
  /** Cards created in the storm's conversations. */
  readonly cards: number
  /** Conversations answered by exactly one card, FINISHED, holding the complete answer, and nothing else. */
  readonly finalizedComplete: number
  /** Conversations whose complete answer never arrived, in a card or as Markdown. */
  readonly lost: number
  /** Conversations whose complete answer arrived more than once (two cards, or a card and a Markdown reply). */
  readonly doubled: number
  /** Card calls the simulated org answered 403 QpsLimit during the storm. */
  readonly qpsLimit403s: number
  /**
   * Conversations with no card FINISHED with the complete answer (a card FAILED, never finalized, or given up for
   * Markdown): the storm injects nothing but the org's QpsLimit, so each is a QpsLimit the bot did not absorb.
   */
  readonly unhandledQpsLimit: number
  /** First message pushed → the last conversation answered. */
  readonly elapsedMs: number
  /** Every card of the storm, finalized or not, for the update-rate figure. */
  readonly timelines: ReadonlyArray<SimCard>
}

const STORM_TOKEN_ID = 93
/** Late second answers (a retried create, a Markdown fallback after a card) still count as doubles. */
const LATE_ANSWER_GRACE_MS = 1_000

const finalContent = (card: SimCard): string | undefined =>
  card.finalizedAt === undefined ? undefined : card.updates.findLast((update) => update.isFinalize)?.content

const holdsAnswer = (card: SimCard, answer: string) =>
  card.flowStatus === "FINISHED" && finalContent(card) === answer

/**
 * `conversations` DMs each send one message at the same moment to the card bot, whose agent streams; the simulated
 * org allows `sim.cards` its configured QPS. Waits until every conversation has a finalized card or a Markdown reply
 * (or `timeoutMs`), then a short grace for late second answers, and reads each conversation's cards and replies.
 */
export const cardStorm = async (
  sim: Simulator,
  app: SimApp,
  model: StreamingModel,
  conversations: number,
  timeoutMs: number,
): Promise<CardStormResult> => {
  const chats = makeChats(sim, conversations)
  const ids = new Set(chats.map((chat) => chat.conversation.id))
  const markdown = new Map<string, Array<{ readonly text: string; readonly at: number }>>()
  const unsubscribe = sim.onReply((reply) => {
    if (!ids.has(reply.conversationId)) return
    const entry = { text: reply.text, at: Date.now() }
    markdown.set(reply.conversationId, [...(markdown.get(reply.conversationId) ?? []), entry])
  })
  const throttledBefore = sim.cards.counters.throttled
  const startedAt = Date.now()
  const tokens = chats.map((chat, index) => {
    const token = `bench-${STORM_TOKEN_ID}-${index}`
    sim.sendText(chat.conversation, chat.user, token, { clientId: app.clientId }).catch(() => undefined)
    return token
  })
  const answered = (conversationId: string) =>
    (markdown.get(conversationId)?.length ?? 0) > 0 ||
    sim.cards.forConversation(conversationId).some((card) => card.finalizedAt !== undefined)
  while (Date.now() - startedAt < timeoutMs && !chats.every((chat) => answered(chat.conversation.id)))
    await sleep(50)
  await sleep(LATE_ANSWER_GRACE_MS)
  unsubscribe()

  let cards = 0
  let finalizedComplete = 0
  let lost = 0
  let doubled = 0
  let unhandledQpsLimit = 0
  let lastAnsweredAt = startedAt
  const timelines: Array<SimCard> = []
  for (const [index, chat] of chats.entries()) {
    const answer = model.answerFor(tokens[index] as string)
    const own = sim.cards.forConversation(chat.conversation.id)
    const replies = markdown.get(chat.conversation.id) ?? []
    cards += own.length
    timelines.push(...own)
    for (const at of [
      ...own.map((card) => card.finalizedAt ?? startedAt),
      ...replies.map((reply) => reply.at),
    ])
      lastAnsweredAt = Math.max(lastAnsweredAt, at)
    const inCards = own.filter((card) => holdsAnswer(card, answer)).length
    const answers = inCards + replies.filter((reply) => reply.text.includes(answer)).length
    if (answers === 0) lost += 1
    if (answers > 1) doubled += 1
    if (inCards === 0) unhandledQpsLimit += 1
    if (own.length === 1 && replies.length === 0 && holdsAnswer(own[0] as SimCard, answer))
      finalizedComplete += 1
  }
  return {
    conversations,
    cards,
    finalizedComplete,
    lost,
    doubled,
    qpsLimit403s: sim.cards.counters.throttled - throttledBefore,
    unhandledQpsLimit,
    elapsedMs: lastAnsweredAt - startedAt,
    timelines,
  }
}
