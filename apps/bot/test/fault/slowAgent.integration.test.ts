import { type Delivery, type SimConversation, type SimUser, startSimulator } from "@openpollen/simulator"
import { describe, expect, it } from "vitest"
import { botConfig, until } from "../e2e/harness/BotProcess.js"
import { botStatus } from "./support/botStatus.js"
import { expectExactlyOnce } from "./support/expectExactlyOnce.js"
import { startConnectedBot } from "./support/startConnectedBot.js"
import { startSlowModel } from "./support/startSlowModel.js"
import { token, tokensIn } from "./support/tokens.js"
import { waitForQuiet } from "./support/waitForQuiet.js"
import { waitForTokens } from "./support/waitForTokens.js"

const CONVERSATIONS = 200
const PER_CONVERSATION = 3
const ANSWER_MS = 5_000
const REDELIVERY_MS = 1_000

describe("fault: a slow agent (5 s per answer) with 200 conversations at once", () => {
  it("answers all, in order within each conversation, once each although redeliveries arrive meanwhile", async () => {
    const model = await startSlowModel({ delayMs: ANSWER_MS })
    const sim = await startSimulator({ redeliveryTimeoutMs: REDELIVERY_MS, maxRedeliveries: 30 })
    const config = {
      ...botConfig(sim, {
        // Every conversation gets a worker at once; with the default 16 the last answers would take ~200 s.
        maxConcurrentConversations: 256,
      }),
      agent: {
        provider: "openai",
        openai: { baseUrl: model.baseUrl, apiKey: "sk-fault-suite", model: "slow-echo", timeoutMs: 30_000 },
      },
    }
    const bot = await startConnectedBot(sim, config)
    try {
      const [connection] = sim.connections()
      if (connection === undefined) throw new Error("the bot has no connection")
      const chats: Array<{ conversation: SimConversation; from: SimUser; tokens: Array<string> }> =
        Array.from({ length: CONVERSATIONS }, (_, index) => {
          const from = sim.addUser({ nick: `慢速${index}` })
          const conversation =
            index % 4 === 0 ? sim.group({ title: `慢速群${index}`, members: [from] }) : sim.dm(from)
          return {
            from,
            conversation,
            tokens: Array.from({ length: PER_CONVERSATION }, (_, turn) =>
              token("s5", index * PER_CONVERSATION + turn),
            ),
          }
        })
      const tokens = chats.flatMap((chat) => chat.tokens)

      // The bot's ACKs are lost while its first answers are still being thought about, so every message is
      // pushed again (with a new messageId) while the original is queued or in flight.
      sim.setConnectionFault(connection.id, { dropAcks: true })
      const deliveries: Array<Delivery> = []
      for (let turn = 0; turn < PER_CONVERSATION; turn += 1)
        for (const chat of chats)
          deliveries.push(
            await sim.sendText(chat.conversation, chat.from, `第${turn + 1}问 ${chat.tokens[turn]}`),
          )
      await until(
        () => model.requests() >= CONVERSATIONS,
        30_000,
        "the first answer of every conversation begun",
      )
      const redelivered = sim.counters.redeliveries
      await until(
        () => sim.counters.redeliveries >= redelivered + tokens.length,
        15_000,
        "one more redelivery per message while the first answers are in flight",
      )
      const inFlightDuringRedelivery = model.inFlight()
      sim.setConnectionFault(connection.id, { dropAcks: false })

      await waitForTokens(sim, tokens, PER_CONVERSATION * ANSWER_MS + 45_000)
      await waitForQuiet(sim, [bot], { quietMs: REDELIVERY_MS + 500, timeoutMs: 20_000 })
      expectExactlyOnce(sim, tokens)
      for (const chat of chats) {
        const answered = sim.replies
          .filter((reply) => reply.conversationId === chat.conversation.id)
          .flatMap((reply) => tokensIn(reply.text))
        expect(answered, `order in ${chat.conversation.id}`).toEqual(chat.tokens)
      }
      expect(inFlightDuringRedelivery).toBeGreaterThan(0)
      expect(model.maxInFlight()).toBeGreaterThanOrEqual(CONVERSATIONS)
      expect(model.requests()).toBe(tokens.length)
      const { messages } = await botStatus(bot)
      expect(messages?.duplicates).toBeGreaterThanOrEqual(tokens.length)
      expect(messages?.apologies).toBe(0)
      expect(deliveries).toHaveLength(tokens.length)
    } finally {
      await bot.stop()
      await sim.close()
      await model.close()
    }
  }, 90_000)
})
