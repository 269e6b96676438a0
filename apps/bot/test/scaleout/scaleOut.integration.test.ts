import { randomBytes } from "node:crypto"
import { type RedisServer, startRedisServer } from "@openpollen/redis/testing"
import { type SimConversation, type SimUser, type Simulator, startSimulator } from "@openpollen/simulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BotProcess, botConfig, startBot, until } from "../e2e/harness/BotProcess.js"
import { startSlowModel } from "../fault/support/startSlowModel.js"

const MESSAGES = 5_000
const CONVERSATIONS = 250
// Long enough that a renewing instance keeps its leases through the stalls of a loaded 2-core CI machine.
const LEASE_MS = 6_000
const SLOW_MODEL_MS = 1_500
const TOKEN = /tok-\d+-[0-9a-f]{8}/g

describe("three bot instances on one Redis", () => {
  let redis: RedisServer
  let sim: Simulator
  let model: Awaited<ReturnType<typeof startSlowModel>>
  const bots: Array<BotProcess> = []

  beforeAll(async () => {
    redis = await startRedisServer()
    model = await startSlowModel({ delayMs: SLOW_MODEL_MS })
    sim = await startSimulator({ redeliveryTimeoutMs: 2_000, maxRedeliveries: 10 })
  })

  afterAll(async () => {
    await Promise.all(bots.map((bot) => bot.stop()))
    await sim?.close()
    await model?.close()
    await redis?.stop()
  })

  it("answers 5,000 messages exactly once through redeliveries and a SIGKILLed instance holding ACKed work", async () => {
    const started = Date.now()
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file's substitution syntax
    const store = { kind: "redis", url: "${REDIS_URL}", leaseMs: LEASE_MS }
    const env = { REDIS_URL: redis.url }
    const connectionOf = async (start: () => Promise<BotProcess>) => {
      const before = new Set(sim.connections().map((connection) => connection.id))
      const bot = await start()
      bots.push(bot)
      await sim.waitForConnections(before.size + 1, { timeoutMs: 15_000 })
      const id = sim.connections().find((connection) => !before.has(connection.id))?.id
      if (id === undefined) throw new Error("the bot opened no connection")
      return { bot, connection: id }
    }
    const fast = () => startBot(sim, { ...botConfig(sim), store }, env)
    const a = await connectionOf(fast)
    await connectionOf(fast)
    // The doomed instance answers slowly, so it holds received, ACKed and unanswered messages when it is killed.
    const doomed = await connectionOf(() =>
      startBot(
        sim,
        {
          ...botConfig(sim),
          store,
          agent: { provider: "openai", openai: { baseUrl: model.baseUrl, model: "slow", timeoutMs: 30_000 } },
        },
        env,
      ),
    )
    for (const bot of bots) expect(bot.output()).not.toContain(new URL(redis.url).password)

    const chats: Array<{ conversation: SimConversation; from: SimUser }> = Array.from(
      { length: CONVERSATIONS },
      (_, index) => {
        const from = sim.addUser({ nick: `用户${index}` })
        return { conversation: sim.dm(from), from }
      },
    )
    const tokens = Array.from(
      { length: MESSAGES },
      (_, index) => `tok-${index}-${randomBytes(4).toString("hex")}`,
    )

    let killedAt = 0
    for (let index = 0; index < MESSAGES; index += 50) {
      if (index === 500) sim.setConnectionFault(a.connection, { dropAcks: true })
      if (index === 2_100) sim.setConnectionFault(a.connection, { dropAcks: false })
      if (index === 2_500) {
        await doomed.bot.stop("SIGKILL")
        killedAt = Date.now()
      }
      await Promise.all(
        tokens.slice(index, index + 50).map((token, offset) => {
          const chat = chats[(index + offset) % CONVERSATIONS]
          if (chat === undefined) throw new Error("no chat")
          return sim.sendText(chat.conversation, chat.from, `问题 ${token}`)
        }),
      )
      await new Promise((resolve) => setTimeout(resolve, 40))
    }
    const sentAt = Date.now()

    const counts = new Map<string, number>()
    let seen = 0
    const tally = () => {
      const replies = sim.replies
      for (; seen < replies.length; seen++)
        for (const token of replies[seen]?.text.match(TOKEN) ?? [])
          counts.set(token, (counts.get(token) ?? 0) + 1)
      return counts.size
    }
    // A deadline for a loaded machine, not a speed target: a lost message is one never answered.
    await until(() => tally() >= MESSAGES, 90_000, `every token answered (${counts.size}/${MESSAGES})`).catch(
      () => undefined,
    )
    const answeredAt = Date.now()
    // Late duplicates would come from a lapsed lease or a reclaimed entry: give them time to show up.
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 1_000))
    tally()

    const lost = tokens.filter((token) => !counts.has(token))
    const duplicated = [...counts].filter(([, count]) => count > 1)
    const unknown = [...counts.keys()].filter((token) => !tokens.includes(token))
    const took = (output: string) =>
      [...output.matchAll(/took over messages left unanswered past their lease.*?"count":(\d+)/g)].reduce(
        (sum, match) => sum + Number(match[1]),
        0,
      )
    const report = {
      messages: MESSAGES,
      replies: sim.replies.length,
      redeliveries: sim.counters.redeliveries,
      acks: sim.counters.acks,
      slowModelRequests: model.requests(),
      takenOver: bots.reduce((sum, bot) => sum + took(bot.output()), 0),
      dedupeUnavailable: bots.reduce(
        (sum, bot) => sum + (bot.output().match(/dedupe store unavailable/g)?.length ?? 0),
        0,
      ),
      deadLettered: bots.reduce(
        (sum, bot) => sum + (bot.output().match(/moved to the dead-letter stream/g)?.length ?? 0),
        0,
      ),
      lost: lost.length,
      duplicated: duplicated.length,
      sendMs: sentAt - started,
      answeredAfterKillMs: answeredAt - killedAt,
      wallMs: Date.now() - started,
    }
    console.log(`scale-out: ${JSON.stringify(report)}`)
    expect({ lost: lost.slice(0, 5), duplicated: duplicated.slice(0, 5), unknown }).toEqual({
      lost: [],
      duplicated: [],
      unknown: [],
    })
    expect(report.redeliveries).toBeGreaterThanOrEqual(MESSAGES * 0.08)
    expect(report.takenOver).toBeGreaterThan(300)
    expect(report.deadLettered).toBe(0)
  }, 180_000)
})
