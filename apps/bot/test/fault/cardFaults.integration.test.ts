import type { SimCard, SimConversation, SimUser, Simulator } from "@openpollen/simulator"
import { startSimulator } from "@openpollen/simulator"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { type BotProcess, botConfig, until } from "../e2e/harness/BotProcess.js"
import { botStatus } from "./support/botStatus.js"
import { startConnectedBot } from "./support/startConnectedBot.js"
import { startSlowModel } from "./support/startSlowModel.js"
import { token } from "./support/tokens.js"

const cardConfig = (sim: Simulator, card: Record<string, unknown> = {}) =>
  botConfig(sim, {
    replyMode: "card",
    maxConcurrentConversations: 64,
    card: { updateIntervalMs: 100, ...card },
  })

/** A fresh DM (even index) or group (odd index) per message, so each card is attributable. */
const conversationFor = (sim: Simulator, index: number): { conversation: SimConversation; from: SimUser } => {
  const from = sim.addUser({ nick: `卡片${index}` })
  return {
    from,
    conversation: index % 2 === 0 ? sim.dm(from) : sim.group({ title: `卡片群${index}`, members: [from] }),
  }
}

const cardsWith = (sim: Simulator, text: string): ReadonlyArray<SimCard> =>
  sim.cards.all.filter((card) => Object.values(card.params).some((value) => value.includes(text)))
const repliesWith = (sim: Simulator, text: string) => sim.replies.filter((reply) => reply.text.includes(text))

describe("fault: AI card API failures (replyMode card)", () => {
  let sim: Simulator
  let bot: BotProcess

  beforeAll(async () => {
    sim = await startSimulator()
    bot = await startConnectedBot(sim, cardConfig(sim))
  })
  afterEach(() => {
    sim.clearFault()
    sim.cards.setPermissions(["Card.Instance.Write", "Card.Streaming.Write"])
    sim.cards.setQps(40)
  })
  afterAll(async () => {
    const code = await bot?.stop()
    await sim?.close()
    expect(code).toBe(0)
  })

  it("card API 500s: a create that fails twice is retried into one card; one that keeps failing answers in Markdown once", async () => {
    sim.setFault("cardCreate", { status: 500, times: 2 })
    const retried = token("c5r", 0)
    const first = conversationFor(sim, 0)
    await sim.sendText(first.conversation, first.from, retried)
    await until(
      () => cardsWith(sim, retried).some((card) => card.flowStatus === "FINISHED"),
      20_000,
      "the card",
    )
    expect(cardsWith(sim, retried)).toHaveLength(1)
    expect(repliesWith(sim, retried)).toHaveLength(0)

    sim.setFault("cardCreate", { status: 500 })
    const fallback = token("c5f", 0)
    const second = conversationFor(sim, 1)
    await sim.sendText(second.conversation, second.from, fallback)
    await until(() => repliesWith(sim, fallback).length > 0, 20_000, "the Markdown answer")
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    expect(repliesWith(sim, fallback)).toHaveLength(1)
    expect(cardsWith(sim, fallback)).toHaveLength(0)
  })

  it("permission denied: Markdown once per message, and /api/status names the scope to grant", async () => {
    sim.cards.setPermissions(["Card.Streaming.Write"])
    const loggedBefore = bot.output().match(/AI card unavailable/g)?.length ?? 0
    const tokens = Array.from({ length: 4 }, (_, index) => token("cpd", index))
    for (const [index, text] of tokens.entries()) {
      const { conversation, from } = conversationFor(sim, index)
      await sim.sendText(conversation, from, text)
    }
    await until(
      () => tokens.every((text) => repliesWith(sim, text).length > 0),
      20_000,
      "every Markdown answer",
    )
    await new Promise((resolve) => setTimeout(resolve, 500))
    for (const text of tokens) expect(repliesWith(sim, text)).toHaveLength(1)
    const status = await botStatus(bot)
    expect(status.replyMode).toBe("card")
    expect(status.messages?.lastCardTrouble).toMatchObject({
      reason: "permission",
      permission: "Card.Instance.Write",
    })
    // Logged once, however many messages hit it.
    expect(bot.output().match(/AI card unavailable/g)?.length).toBe(loggedBefore + 1)
  })

  it("QpsLimit storm (org limit 3/s, bot told 20/s): 20 chats at once, every card finalized complete, none lost or doubled", async () => {
    sim.cards.setQps(3)
    const throttledBefore = sim.cards.counters.throttled
    const tokens = Array.from({ length: 20 }, (_, index) => token("cqs", index))
    await Promise.all(
      tokens.map((text, index) => {
        const { conversation, from } = conversationFor(sim, index)
        return sim.sendText(conversation, from, text)
      }),
    )
    await until(
      () => tokens.every((text) => cardsWith(sim, text).some((card) => card.finalizedAt !== undefined)),
      90_000,
      "every card finalized",
    )
    expect(sim.cards.counters.throttled).toBeGreaterThan(throttledBefore)
    for (const text of tokens) {
      const [card, ...others] = cardsWith(sim, text)
      expect(others).toHaveLength(0)
      expect(card?.flowStatus).toBe("FINISHED")
      expect(card?.params.content).toBe(text)
      expect(card?.updates.filter((update) => update.isFinalize)).toHaveLength(1)
      expect(repliesWith(sim, text)).toHaveLength(0)
    }
  }, 120_000)
})

describe("fault: the bot is killed while a card streams", () => {
  it("the restarted bot opens no second card, and the first logged the card's outTrackId", async () => {
    const model = await startSlowModel({ delayMs: 4_000 })
    const sim = await startSimulator()
    const config = {
      ...cardConfig(sim),
      agent: { provider: "openai", openai: { baseUrl: model.baseUrl, apiKey: "sk-fault", model: "slow" } },
    }
    const first = await startConnectedBot(sim, config)
    let second: BotProcess | undefined
    try {
      const { conversation, from } = conversationFor(sim, 0)
      const text = token("ckl", 0)
      await sim.sendText(conversation, from, text)
      const card = await sim.cards.nextCard(conversation.id, { timeoutMs: 20_000 })
      await until(() => first.output().includes(card.outTrackId), 10_000, "the outTrackId in the log")
      await first.stop("SIGKILL")
      second = await startConnectedBot(sim, config)
      await new Promise((resolve) => setTimeout(resolve, 6_000))
      expect(sim.cards.forConversation(conversation.id)).toHaveLength(1)
      expect(sim.cards.get(card.outTrackId)?.finalizedAt).toBeUndefined()
      expect(repliesWith(sim, text)).toHaveLength(0)
    } finally {
      await second?.stop()
      await sim.close()
      await model.close()
    }
  }, 90_000)
})
