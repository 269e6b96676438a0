import { type Simulator, startSimulator } from "@openpollen/simulator"
import { afterEach, describe, expect, it } from "vitest"
import { type BotProcess, botConfig, until } from "../e2e/harness/BotProcess.js"
import { botStatus } from "./support/botStatus.js"
import { tokenReport } from "./support/expectExactlyOnce.js"
import { rssOf } from "./support/rssOf.js"
import { startConnectedBot } from "./support/startConnectedBot.js"
import { token } from "./support/tokens.js"

const MESSAGES = 20_000
const MAX_PENDING = 1_000
const WEBHOOK_LATENCY_MS = 200
const REDELIVERY_MS = 2_000
const RSS_LIMIT_MB = 200
const CONVERSATIONS = 400

describe("fault: more messages arrive than a slow webhook can answer", () => {
  let sim: Simulator | undefined
  let bot: BotProcess | undefined

  afterEach(async () => {
    await bot?.stop()
    await sim?.close()
    bot = undefined
    sim = undefined
  })

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
      const users = Array.from({ length: CONVERSATIONS }, (_, index) =>
        started.addUser({ nick: `积压${index}` }),
      )
      const conversations = users.map((user) => started.dm(user))
      const tokens = Array.from({ length: MESSAGES }, (_, index) => token("bkl", index))
      for (const [index, text] of tokens.entries()) {
        const at = index % CONVERSATIONS
        const user = users[at]
        const conversation = conversations[at]
        if (user === undefined || conversation === undefined) throw new Error("no conversation")
        await started.sendText(conversation, user, `积压 ${text}`)
      }
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
