import { type RedisServer, startRedisServer } from "@openpollen/redis/testing"
import { type SimCard, type Simulator, startSimulator } from "@openpollen/simulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BotProcess, botConfig, until } from "../e2e/harness/BotProcess.js"
import { startConnectedBot } from "./support/startConnectedBot.js"
import { token, tokensIn } from "./support/tokens.js"

/** The org's card limit, and what each instance is told: together they must stay under it. */
const CARD_QPS = 4
const CHATS = 24

const cardsWith = (sim: Simulator, text: string): ReadonlyArray<SimCard> =>
  sim.cards.all.filter((card) => tokensIn(card.params.content ?? "").includes(text))

describe("fault: two instances share one card limit through Redis", () => {
  let redis: RedisServer
  let sim: Simulator
  const bots: Array<BotProcess> = []

  beforeAll(async () => {
    redis = await startRedisServer()
    sim = await startSimulator()
    sim.cards.setQps(CARD_QPS)
    const config = {
      ...botConfig(sim, { replyMode: "card", maxConcurrentConversations: 64, card: { qps: CARD_QPS } }),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
      store: { kind: "redis", url: "${REDIS_URL}" },
    }
    bots.push(
      ...(await Promise.all([
        startConnectedBot(sim, config, { REDIS_URL: redis.url }),
        startConnectedBot(sim, config, { REDIS_URL: redis.url }),
      ])),
    )
    await sim.waitForConnections(2)
  }, 60_000)
  afterAll(async () => {
    for (const bot of bots) await bot.stop()
    await sim?.close()
    await redis?.stop()
  })

  it(`${CHATS} chats at once, org limit ${CARD_QPS}/s = card.qps: no QpsLimit at all, every card finalized complete`, async () => {
    const tokens = Array.from({ length: CHATS }, (_, index) => token("rql", index))
    await Promise.all(
      tokens.map((text, index) => {
        const from = sim.addUser({ nick: `共享限流${index}` })
        const conversation =
          index % 2 === 0 ? sim.dm(from) : sim.group({ title: `共享限流群${index}`, members: [from] })
        return sim.sendText(conversation, from, text)
      }),
    )
    await until(
      () => tokens.every((text) => cardsWith(sim, text).some((card) => card.finalizedAt !== undefined)),
      90_000,
      "every card finalized",
    )
    expect(sim.cards.counters.throttled).toBe(0)
    expect(sim.cards.counters.peakQps).toBeLessThanOrEqual(CARD_QPS)
    for (const text of tokens) {
      const [card, ...others] = cardsWith(sim, text)
      expect(others).toHaveLength(0)
      expect(card).toMatchObject({ flowStatus: "FINISHED", params: { content: text } })
      expect(sim.replies.filter((reply) => tokensIn(reply.text).includes(text))).toHaveLength(0)
    }
    // Both instances answered some: the limit held across them, not because one did all the work.
    for (const bot of bots) expect(bot.output()).toMatch(/answered in an AI card/)
  }, 120_000)
})
