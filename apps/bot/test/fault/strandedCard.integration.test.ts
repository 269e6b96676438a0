import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startRedisServer } from "@openpollen/redis/testing"
import { type Simulator, startSimulator } from "@openpollen/simulator"
import { describe, expect, it } from "vitest"
import { type BotProcess, botConfig, until } from "../e2e/harness/BotProcess.js"
import { startConnectedBot } from "./support/startConnectedBot.js"
import { type SlowModel, startSlowModel } from "./support/startSlowModel.js"
import { token, tokensIn } from "./support/tokens.js"

const stranded = (sim: Simulator) => sim.cards.all.filter((card) => card.finalizedAt === undefined)
const answersWith = (sim: Simulator, text: string) =>
  sim.cards.all.filter((card) => tokensIn(card.params.content ?? "").includes(text)).length +
  sim.replies.filter((reply) => tokensIn(reply.text).includes(text)).length

/** Sends one message, waits for its card, then kills the bot with SIGKILL while the model is still thinking. */
const killWhileCardOpen = async (sim: Simulator, bot: BotProcess, nick: string, text: string) => {
  const from = sim.addUser({ nick })
  const conversation = sim.dm(from)
  const delivery = await sim.sendText(conversation, from, text)
  await delivery.acked
  const card = await sim.cards.nextCard(conversation.id, { timeoutMs: 20_000 })
  process.kill(bot.pid, "SIGKILL")
  await bot.exited
  return { conversation, card }
}

/** After the restart: no card left processing and the answer there, then time for a late double to land. */
const settleAfterRestart = async (sim: Simulator, text: string) => {
  await until(() => stranded(sim).length === 0, 30_000, "no card left processing")
  await until(() => answersWith(sim, text) > 0, 30_000, "the answer")
  // Late doubles (a second card, a Markdown copy) would land within a few more seconds.
  await new Promise((resolve) => setTimeout(resolve, 4_000))
}

const sqliteConfig = (sim: Simulator, model: SlowModel, path: string, replyMode: "card" | "markdown") => ({
  ...botConfig(sim, { replyMode, card: { updateIntervalMs: 100 } }),
  agent: { provider: "openai", openai: { baseUrl: model.baseUrl, apiKey: "sk-fault", model: "slow" } },
  store: { kind: "sqlite", path },
})

describe("fault: the bot is killed while a card streams (SQLite store)", () => {
  it("the restarted bot leaves no card processing and the answer arrives exactly once, in the first card", async () => {
    const model = await startSlowModel({ delayMs: 3_000 })
    const sim = await startSimulator()
    const stateDir = mkdtempSync(join(tmpdir(), "openpollen-stranded-"))
    const config = sqliteConfig(sim, model, join(stateDir, "bot.sqlite"), "card")
    const first = await startConnectedBot(sim, config)
    let second: BotProcess | undefined
    try {
      const text = token("skc", 0)
      const { conversation, card } = await killWhileCardOpen(sim, first, "断卡", text)
      expect(sim.cards.get(card.outTrackId)?.finalizedAt).toBeUndefined()

      second = await startConnectedBot(sim, config)
      await settleAfterRestart(sim, text)
      expect(stranded(sim)).toEqual([])
      expect(answersWith(sim, text)).toBe(1)
      expect(sim.cards.forConversation(conversation.id)).toHaveLength(1)
      expect(sim.cards.get(card.outTrackId)).toMatchObject({
        flowStatus: "FINISHED",
        params: { content: text },
      })
    } finally {
      await first.stop()
      await second?.stop()
      await sim.close()
      await model.close()
      rmSync(stateDir, { recursive: true, force: true })
    }
  }, 90_000)

  it("restarted in Markdown mode: the first card is closed with the notice, and the answer goes once as Markdown", async () => {
    const model = await startSlowModel({ delayMs: 3_000 })
    const sim = await startSimulator()
    const stateDir = mkdtempSync(join(tmpdir(), "openpollen-stranded-"))
    const path = join(stateDir, "bot.sqlite")
    const first = await startConnectedBot(sim, sqliteConfig(sim, model, path, "card"))
    let second: BotProcess | undefined
    try {
      const text = token("skm", 0)
      const { card } = await killWhileCardOpen(sim, first, "断卡二", text)

      second = await startConnectedBot(sim, sqliteConfig(sim, model, path, "markdown"))
      await settleAfterRestart(sim, text)
      expect(stranded(sim)).toEqual([])
      expect(sim.cards.get(card.outTrackId)?.flowStatus).toBe("FAILED")
      expect(sim.cards.get(card.outTrackId)?.params.content).toMatch(/interrupted/)
      expect(answersWith(sim, text)).toBe(1)
      expect(sim.replies.filter((reply) => tokensIn(reply.text).includes(text))).toHaveLength(1)
    } finally {
      await first.stop()
      await second?.stop()
      await sim.close()
      await model.close()
      rmSync(stateDir, { recursive: true, force: true })
    }
  }, 90_000)
})

describe("fault: the bot is killed while a card streams (Redis store)", () => {
  it("another instance, in Markdown mode, closes the card with the notice after the lease and answers once", async () => {
    const redis = await startRedisServer()
    const model = await startSlowModel({ delayMs: 3_000 })
    const sim = await startSimulator()
    const config = (replyMode: "card" | "markdown") => ({
      ...botConfig(sim, { replyMode, card: { updateIntervalMs: 100 } }),
      agent: { provider: "openai", openai: { baseUrl: model.baseUrl, apiKey: "sk-fault", model: "slow" } },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
      store: { kind: "redis", url: "${REDIS_URL}", leaseMs: 2_000 },
    })
    const env = { REDIS_URL: redis.url }
    const first = await startConnectedBot(sim, config("card"), env)
    let second: BotProcess | undefined
    try {
      const text = token("skr", 0)
      const { card } = await killWhileCardOpen(sim, first, "断卡三", text)

      second = await startConnectedBot(sim, config("markdown"), env)
      await settleAfterRestart(sim, text)
      expect(stranded(sim)).toEqual([])
      expect(sim.cards.get(card.outTrackId)).toMatchObject({ flowStatus: "FAILED" })
      expect(sim.cards.get(card.outTrackId)?.params.content).toMatch(/interrupted/)
      expect(sim.replies.filter((reply) => tokensIn(reply.text).includes(text))).toHaveLength(1)
    } finally {
      await first.stop()
      await second?.stop()
      await sim.close()
      await model.close()
      await redis.stop()
    }
  }, 90_000)
})
