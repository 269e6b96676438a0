import { type SimApp, type SimCard, type Simulator, startSimulator } from "@openpollen/simulator"
import { launchBot, type RunningBot } from "../bots.js"
import type { Profile } from "../profiles.js"
import { type Chat, makeChats, ReplyTracker, sleep, within } from "../ReplyTracker.js"
import { mostWithin, percentile } from "../stats.js"
import { type StreamingModel, startStreamingModel } from "../streamingModel.js"
import { cardStorm } from "./cardStorm.js"

/** The AI-card figures of the JSON line. */
export interface CardFigures {
  /** Message pushed → the simulator created its card, with an agent 2 s from its first token. */
  readonly card_create_ms_p50: number
  readonly card_create_ms_p99: number
  /** The agent's last token written → the card's final update. */
  readonly card_final_lag_ms_p50: number
  readonly card_final_lag_ms_p99: number
  /** Message pushed → the card's final update (the complete answer shown). */
  readonly card_reply_ms_p50: number
  readonly card_reply_ms_p99: number
  /** The same agent in markdown mode, in the same run: message pushed → the Markdown reply. */
  readonly markdown_reply_ms_p50: number
  readonly markdown_reply_ms_p99: number
  readonly markdown_lost: number
  readonly markdown_duplicates: number
  /** The most updates any one card received within one second, over every card of the run. */
  readonly card_updates_per_s_max: number
  readonly card_storm_conversations: number
  readonly card_storm_org_qps: number
  readonly card_storm_cards: number
  readonly card_storm_finalized_complete: number
  readonly card_storm_lost: number
  readonly card_storm_doubled: number
  readonly card_storm_qpslimit_403s: number
  readonly card_storm_unhandled_qpslimit: number
  readonly card_storm_ms: number
}

const FIRST_TOKEN_MS = 2_000
const MORE_TOKENS = 10
const TOKEN_INTERVAL_MS = 100
const CARD_TOKEN_ID = 91
const MARKDOWN_TOKEN_ID = 92
const ANSWER_TIMEOUT_MS = 60_000

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`)

interface CardSample {
  readonly createMs: number
  readonly finalLagMs: number
  readonly replyMs: number
  readonly card: SimCard
}

/** One message to the card bot in a fresh DM: its card's timeline once finalized with the complete answer. */
const cardReply = async (
  sim: Simulator,
  app: SimApp,
  model: StreamingModel,
  chat: Chat,
  token: string,
): Promise<CardSample> => {
  const sentAt = Date.now()
  sim.sendText(chat.conversation, chat.user, token, { clientId: app.clientId }).catch(() => undefined)
  const created = await sim.cards.nextCard(chat.conversation.id, { timeoutMs: ANSWER_TIMEOUT_MS })
  const card = await sim.cards.waitForFinal(created.outTrackId, { timeoutMs: ANSWER_TIMEOUT_MS })
  const last = card.updates.at(-1)
  const lastTokenAt = model.lastTokenAt(token)
  const finalizedAt = card.finalizedAt as number
  if (card.flowStatus !== "FINISHED" || last?.content !== model.answerFor(token) || lastTokenAt === undefined)
    throw new Error(`card ${card.outTrackId} ended ${card.flowStatus} with: ${last?.content.slice(0, 200)}`)
  return {
    createMs: card.createdAt - sentAt,
    finalLagMs: finalizedAt - lastTokenAt,
    replyMs: finalizedAt - sentAt,
    card,
  }
}

/**
 * The same streaming agent behind two bots, one with `replyMode: "card"` and one with Markdown, on a simulator whose
 * org allows `profile.cardOrgQps` card calls a second. First `profile.cardMessages` messages to each bot, one every
 * `profile.cardMessageIntervalMs` (both bots at once), then the storm: `profile.cardStormConversations` messages to
 * the card bot at the same moment.
 */
export const measureCards = async (profile: Profile): Promise<CardFigures> => {
  const sim = await startSimulator({
    apps: [
      { clientId: "bench-card", clientSecret: "bench-card-secret" },
      { clientId: "bench-markdown", clientSecret: "bench-markdown-secret" },
    ],
    cardQps: profile.cardOrgQps,
  })
  const model = await startStreamingModel({
    firstTokenMs: FIRST_TOKEN_MS,
    moreTokens: MORE_TOKENS,
    tokenIntervalMs: TOKEN_INTERVAL_MS,
  }).catch(async (error: unknown) => {
    await sim.close()
    throw error
  })
  const [cardApp, markdownApp] = sim.apps as [SimApp, SimApp]
  const agent = {
    provider: "openai",
    openai: { baseUrl: model.baseUrl, apiKey: "bench", model: "bench-stream", tools: false },
  }
  // Every storm conversation is answered at once, not 16 at a time (the default). The card bot believes it may make
  // twice the org's card calls (as when another instance shares the org's limit), so the storm meets QpsLimit 403s.
  const dingtalk = { maxConcurrentConversations: 2 * profile.cardStormConversations }
  const card = { qps: 2 * profile.cardOrgQps }
  const bots: Array<RunningBot> = []
  const tracker = new ReplyTracker(sim, MARKDOWN_TOKEN_ID)
  try {
    bots.push(
      await launchBot("openpollen", sim, cardApp, {
        agent,
        dingtalk: { ...dingtalk, replyMode: "card", card },
      }),
    )
    bots.push(await launchBot("openpollen", sim, markdownApp, { agent, dingtalk }))
    progress(
      `AI cards: ${profile.cardMessages} messages each to a card bot and a Markdown bot, one every ${profile.cardMessageIntervalMs} ms`,
    )
    const cardChats = makeChats(sim, profile.cardMessages)
    const markdownChats = makeChats(sim, profile.cardMessages)
    const cards: Array<Promise<CardSample>> = []
    const markdown: Array<Promise<number>> = []
    for (let index = 0; index < profile.cardMessages; index++) {
      if (index > 0) await sleep(profile.cardMessageIntervalMs)
      const chat = cardChats[index] as Chat
      const sample = cardReply(sim, cardApp, model, chat, `bench-${CARD_TOKEN_ID}-${index}`)
      // Rejected while later messages are still being sent: Promise.all below reports it, not the process.
      sample.catch(() => undefined)
      cards.push(sample)
      markdown.push(tracker.send(markdownApp, markdownChats[index] as Chat).answered)
    }
    const samples = await Promise.all(cards)
    const markdownMs = await within(Promise.all(markdown), ANSWER_TIMEOUT_MS, "markdown replies")

    progress(
      `AI card storm: ${profile.cardStormConversations} conversations at once, org limit ${profile.cardOrgQps} card calls/s`,
    )
    await sleep(1_000)
    const storm = await cardStorm(sim, cardApp, model, profile.cardStormConversations, 3 * ANSWER_TIMEOUT_MS)
    const updateRates = [...samples.map((sample) => sample.card), ...storm.timelines].map((card) =>
      mostWithin(
        card.updates.map((update) => update.at),
        1_000,
      ),
    )
    const createMs = samples.map((sample) => sample.createMs)
    const finalLagMs = samples.map((sample) => sample.finalLagMs)
    const replyMs = samples.map((sample) => sample.replyMs)
    return {
      card_create_ms_p50: percentile(createMs, 50),
      card_create_ms_p99: percentile(createMs, 99),
      card_final_lag_ms_p50: percentile(finalLagMs, 50),
      card_final_lag_ms_p99: percentile(finalLagMs, 99),
      card_reply_ms_p50: percentile(replyMs, 50),
      card_reply_ms_p99: percentile(replyMs, 99),
      markdown_reply_ms_p50: percentile(markdownMs, 50),
      markdown_reply_ms_p99: percentile(markdownMs, 99),
      markdown_lost: tracker.lost,
      markdown_duplicates: tracker.duplicates,
      card_updates_per_s_max: Math.max(0, ...updateRates),
      card_storm_conversations: storm.conversations,
      card_storm_org_qps: profile.cardOrgQps,
      card_storm_cards: storm.cards,
      card_storm_finalized_complete: storm.finalizedComplete,
      card_storm_lost: storm.lost,
      card_storm_doubled: storm.doubled,
      card_storm_qpslimit_403s: storm.qpsLimit403s,
      card_storm_unhandled_qpslimit: storm.unhandledQpsLimit,
      card_storm_ms: storm.elapsedMs,
    }
  } finally {
    tracker.close()
    await Promise.all(bots.map((bot) => bot.stop()))
    await model.close()
    await sim.close()
  }
}
