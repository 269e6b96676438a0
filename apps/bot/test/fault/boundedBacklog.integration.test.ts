import { type Simulator, startSimulator } from "@openpollen/simulator"
import { afterEach, describe, expect, it } from "vitest"
import { type BotProcess, botConfig, until } from "../e2e/harness/BotProcess.js"
import { botStatus } from "./support/botStatus.js"
import { tokenReport } from "./support/expectExactlyOnce.js"
import { rssOf } from "./support/rssOf.js"
import { startConnectedBot } from "./support/startConnectedBot.js"
import { token } from "./support/tokens.js"
import { waitForTokens } from "./support/waitForTokens.js"

const MESSAGES = 20_000
const MAX_PENDING = 1_000
const WEBHOOK_LATENCY_MS = 200
const REDELIVERY_MS = 2_000
const RSS_LIMIT_MB = 200
const CONVERSATIONS = 400
const AT_BOUND_MAX_PENDING = 20
const AT_BOUND_MESSAGES = 1_000
const AT_BOUND_CONVERSATIONS = 100

/** `count` users, each in a DM with the robot; `send(index, text)` sends from user `index % count`, prefixed by `nick`. */
const directMessages = (started: Simulator, count: number, nick: string) => {
  const users = Array.from({ length: count }, (_, index) => started.addUser({ nick: `${nick}${index}` }))
  const conversations = users.map((user) => started.dm(user))
  return (index: number, text: string) => {
    const user = users[index % count]
    const conversation = conversations[index % count]
    if (user === undefined || conversation === undefined) throw new Error("no conversation")
    return started.sendText(conversation, user, `${nick} ${text}`)
  }
}

let sim: Simulator | undefined
let bot: BotProcess | undefined

afterEach(async () => {
  await bot?.stop()
  await sim?.close()
  bot = undefined
  sim = undefined
})

describe("fault: more messages arrive than a slow webhook can answer", () => {
  it("accepts at most maxPendingMessages, leaves the rest to redelivery, and SIGTERM on the memory store exits 1 naming the lost", async () => {
    const started = await startSimulator({ redeliveryTimeoutMs: REDELIVERY_MS, maxRedeliveries: 1_000 })
    sim = started
    started.setFault("webhook", { latencyMs: WEBHOOK_LATENCY_MS })
    const running = await startConnectedBot(started, {
      ...botConfig(started, { maxPendingMessages: MAX_PENDING }),
      store: { kind: "memory" },
    })
    bot = running
    let peakRssMb = 0
    const sample = setInterval(() => {
      try {
        peakRssMb = Math.max(peakRssMb, rssOf(running.pid).rssMb)
      } catch {
        // The process has exited; the last samples stand.
      }
    }, 100)
    try {
      const send = directMessages(started, CONVERSATIONS, "积压")
      const tokens = Array.from({ length: MESSAGES }, (_, index) => token("bkl", index))
      for (const [index, text] of tokens.entries()) await send(index, text)
      // The frames refused while the backlog was full come back, and some of them are accepted then.
      await until(() => started.counters.redeliveries >= MESSAGES, 40_000, "the refused frames redelivered")
      const firstAnswered = tokenReport(started.replies, tokens)
      await until(
        () => MESSAGES - tokenReport(started.replies, tokens).missing.length > MAX_PENDING + 200,
        60_000,
        "more answers than the bound",
      )
      const status = await botStatus(running)
      const peakMb = rssOf(running.pid).peakMb
      clearInterval(sample)
      console.info(
        `backlog: peak RSS ${peakMb.toFixed(0)} MB (sampled ${peakRssMb.toFixed(0)} MB), ` +
          `${status.stream?.deferredByBacklog} deferred, ${started.counters.redeliveries} redeliveries, ` +
          `${status.stream?.acks} ACKs, ${status.messages?.ambiguousRetries} ambiguous retries`,
      )
      // A webhook post the flooded simulator leaves unanswered past its timeout is retried once by design (counted
      // as an ambiguous retry, and possibly seen twice); any other duplicate is a defect.
      expect(firstAnswered.duplicated.length).toBeLessThanOrEqual(status.messages?.ambiguousRetries ?? 0)
      expect(status.stream?.deferredByBacklog).toBeGreaterThan(MESSAGES - MAX_PENDING)
      // Only what was accepted was ACKed: accepted = answered + still pending, never much beyond the bound.
      const answered = status.messages?.received ?? 0
      expect((status.stream?.acks ?? 0) - answered).toBeLessThanOrEqual(MAX_PENDING + 50)
      expect(peakMb).toBeLessThan(RSS_LIMIT_MB)

      const beforeStop = await botStatus(running)
      process.kill(running.pid, "SIGTERM")
      const exit = await running.exited
      expect(exit.code).toBe(1)
      const lost = Number(/lost (\d+) unanswered message\(s\)/.exec(running.output())?.[1])
      expect(lost).toBeGreaterThan(0)
      expect(lost).toBeLessThanOrEqual(MAX_PENDING + 50)
      expect(tokenReport(started.replies, tokens).duplicated.length).toBeLessThanOrEqual(
        beforeStop.messages?.ambiguousRetries ?? 0,
      )
    } finally {
      clearInterval(sample)
    }
  }, 90_000)
})

describe("fault: a sender keeps the backlog exactly at its bound", () => {
  // A reply reaches DingTalk before the bot frees its place, so the next message can find the backlog full for a
  // moment. It must wait for that place, not for DingTalk's redelivery a minute later.
  it("answers every message in seconds when each answer lets the next one in", async () => {
    const started = await startSimulator()
    sim = started
    const running = await startConnectedBot(started, {
      ...botConfig(started, { maxPendingMessages: AT_BOUND_MAX_PENDING }),
      store: { kind: "memory" },
    })
    bot = running
    const send = directMessages(started, AT_BOUND_CONVERSATIONS, "满载")
    const tokens = Array.from({ length: AT_BOUND_MESSAGES }, (_, index) => token("full", index))
    let sent = 0
    const sendNext = () => {
      const text = tokens[sent]
      if (text === undefined) return
      void send(sent, text)
      sent += 1
    }
    const unsubscribe = started.onReply(() => sendNext())
    try {
      for (let index = 0; index < AT_BOUND_MAX_PENDING; index += 1) sendNext()
      await waitForTokens(started, tokens, 30_000)
    } finally {
      unsubscribe()
    }
    const status = await botStatus(running)
    expect(tokenReport(started.replies, tokens).duplicated).toEqual([])
    expect(status.stream?.deferredByBacklog).toBe(0)
    expect(started.counters.redeliveries).toBe(0)
  }, 60_000)
})
