import type { ReceivedReply, SimConversation, SimUser, Simulator } from "@openpollen/simulator"
import { startSimulator } from "@openpollen/simulator"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import type { BotProcess } from "../e2e/harness/BotProcess.js"
import { botStatus } from "./support/botStatus.js"
import { expectExactlyOnce } from "./support/expectExactlyOnce.js"
import { startConnectedBot } from "./support/startConnectedBot.js"
import { token } from "./support/tokens.js"
import { waitForQuiet } from "./support/waitForQuiet.js"
import { waitForTokens } from "./support/waitForTokens.js"

const byteLength = (value: unknown) => Buffer.byteLength(JSON.stringify(value))
const CHINESE = "钉钉机器人回复超长内容分段测试每一段都必须恰好送达一次不多也不少"

/** About 15,700 characters (≈ 45 KB of UTF-8): one line per token, each line ~110 characters. */
const longChineseText = (family: string, lines: number) => {
  const tokens = Array.from({ length: lines }, (_, index) => token(family, index))
  const text = tokens.map((marker) => `${marker} ${CHINESE.repeat(3)}`).join("\n")
  return { tokens, text }
}

describe("fault: Open API and session webhook failures", () => {
  let sim: Simulator
  let bot: BotProcess
  let users: Array<SimUser>

  beforeAll(async () => {
    sim = await startSimulator()
    bot = await startConnectedBot(sim)
    users = Array.from({ length: 3 }, (_, index) => sim.addUser({ nick: `同事${index}` }))
  })

  afterEach(() => sim.clearFault())

  afterAll(async () => {
    const code = await bot?.stop()
    await sim?.close()
    expect(code).toBe(0)
  })

  /** A fresh DM (even index) or group (odd index) per message, so each reply is attributable. */
  const conversationFor = (index: number): { conversation: SimConversation; from: SimUser } => {
    const from = sim.addUser({ nick: `发送者${index}` })
    return {
      from,
      conversation:
        index % 2 === 0 ? sim.dm(from) : sim.group({ title: `故障群${index}`, members: [from, ...users] }),
    }
  }

  /** Messages whose session webhook has already expired: every reply must go through the Open API. */
  const pushExpired = async (tokens: ReadonlyArray<string>) => {
    const expired = { overrides: { sessionWebhookExpiredTime: Date.now() - 1_000 } }
    for (const [index, text] of tokens.entries()) {
      const { conversation, from } = conversationFor(index)
      await sim.sendText(conversation, from, `开放接口 ${text}`, expired)
    }
  }

  const viaOf = (tokens: ReadonlyArray<string>) =>
    sim.replies.filter((reply) => tokens.some((text) => reply.text.includes(text))).map((reply) => reply.via)

  it("token endpoint 500s for 6 s: replies that need the Open API go out once it recovers", async () => {
    sim.revokeTokens()
    sim.setFault("token", { status: 500 })
    const tokenCalls = sim.counters.tokenCalls
    const failures = (await botStatus(bot)).messages?.replyFailures
    const tokens = Array.from({ length: 10 }, (_, index) => token("s3t", index))
    await pushExpired(tokens)
    await new Promise((resolve) => setTimeout(resolve, 6_000))
    const answeredDuringOutage = viaOf(tokens).length
    const callsDuringOutage = sim.counters.tokenCalls - tokenCalls
    sim.clearFault("token")
    await waitForTokens(sim, tokens, 30_000)
    await waitForQuiet(sim, [bot], { quietMs: 500, timeoutMs: 30_000 })
    expectExactlyOnce(sim, tokens)
    expect(answeredDuringOutage).toBe(0)
    expect(callsDuringOutage).toBeGreaterThanOrEqual(2)
    expect(new Set(viaOf(tokens))).toEqual(new Set(["batchSend", "group"]))
    expect((await botStatus(bot)).messages?.replyFailures).toBe(failures)
  }, 60_000)

  it("403 QpsLimit on groupMessages/send and oToMessages/batchSend for 3 s: every reply still goes out once", async () => {
    sim.setFault("groupSend", { throttle: true })
    sim.setFault("batchSend", { throttle: true })
    const sends = sim.counters.groupSends + sim.counters.batchSends
    const failures = (await botStatus(bot)).messages?.replyFailures
    const tokens = Array.from({ length: 10 }, (_, index) => token("s3q", index))
    await pushExpired(tokens)
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    const throttledSends = sim.counters.groupSends + sim.counters.batchSends - sends
    expect(viaOf(tokens)).toEqual([])
    sim.clearFault("groupSend")
    sim.clearFault("batchSend")
    await waitForTokens(sim, tokens, 30_000)
    await waitForQuiet(sim, [bot], { quietMs: 500, timeoutMs: 30_000 })
    expectExactlyOnce(sim, tokens)
    expect(throttledSends).toBeGreaterThanOrEqual(tokens.length)
    expect((await botStatus(bot)).messages?.replyFailures).toBe(failures)
  }, 60_000)

  it("session webhook answers 300001 (expired): the reply goes out once through the Open API", async () => {
    const tokens = Array.from({ length: 10 }, (_, index) => token("s3e", index))
    const webhookCalls = sim.counters.webhookCalls
    for (const [index, text] of tokens.entries()) {
      const { conversation, from } = conversationFor(index)
      await sim.sendText(conversation, from, `会话过期 ${text}`)
      sim.expireWebhooks(conversation.id)
    }
    await waitForTokens(sim, tokens, 20_000)
    await waitForQuiet(sim, [bot], { quietMs: 500, timeoutMs: 20_000 })
    expectExactlyOnce(sim, tokens)
    expect(sim.counters.webhookCalls - webhookCalls).toBe(tokens.length)
    expect(new Set(viaOf(tokens))).toEqual(new Set(["batchSend", "group"]))
  }, 60_000)

  it("a long reply whose webhook expires after its first part: the remaining parts go out once through the Open API", async () => {
    const { tokens, text } = longChineseText("s3p", 140)
    const { conversation, from } = conversationFor(1)
    const expireAfterFirstPart = sim.onReply((reply) => {
      if (reply.conversationId === conversation.id && reply.via === "webhook")
        sim.expireWebhooks(conversation.id)
    })
    try {
      await sim.sendText(conversation, from, text)
      await waitForTokens(sim, tokens, 30_000)
      await waitForQuiet(sim, [bot], { quietMs: 500, timeoutMs: 20_000 })
    } finally {
      expireAfterFirstPart()
    }
    expectExactlyOnce(sim, tokens)
    const parts = sim.replies.filter((reply) => reply.conversationId === conversation.id)
    expect(parts[0]?.via).toBe("webhook")
    expect(parts.slice(1).map((part) => part.via)).toEqual(parts.slice(1).map(() => "group"))
    expect(parts.length).toBeGreaterThanOrEqual(3)
  }, 60_000)

  it("460101 oversize: a long Chinese reply is split into webhook parts that each fit 20,000 bytes, each sent once", async () => {
    const webhookCalls = sim.counters.webhookCalls
    const all: Array<string> = []
    const partsOf: Array<ReadonlyArray<ReceivedReply>> = []
    for (const [index, family] of ["s3o", "s3m"].entries()) {
      const { tokens, text } = longChineseText(family, 140)
      const { conversation, from } = conversationFor(index)
      await sim.sendText(conversation, from, text)
      await waitForTokens(sim, tokens, 20_000)
      all.push(...tokens)
      partsOf.push(sim.replies.filter((reply) => reply.conversationId === conversation.id))
    }
    await waitForQuiet(sim, [bot], { quietMs: 500, timeoutMs: 20_000 })
    expectExactlyOnce(sim, all)
    const parts = partsOf.flat()
    // None rejected: every webhook call the bot made delivered a part.
    expect(sim.counters.webhookCalls - webhookCalls).toBe(parts.length)
    for (const part of parts) {
      expect(part.via).toBe("webhook")
      expect(byteLength(part.body)).toBeLessThanOrEqual(20_000)
    }
    for (const conversationParts of partsOf) {
      const total = conversationParts.length
      expect(total).toBeGreaterThanOrEqual(3)
      expect(conversationParts.map((part) => /\((\d+)\/(\d+)\)$/.exec(part.title ?? "")?.slice(1))).toEqual(
        conversationParts.map((_, index) => [String(index + 1), String(total)]),
      )
    }
  }, 60_000)
})
