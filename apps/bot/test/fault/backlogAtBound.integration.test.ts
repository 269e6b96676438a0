import { type Simulator, startSimulator } from "@openpollen/simulator"
import { afterEach, describe, expect, it } from "vitest"
import { type BotProcess, botConfig } from "../e2e/harness/BotProcess.js"
import { botStatus } from "./support/botStatus.js"
import { tokenReport } from "./support/expectExactlyOnce.js"
import { startConnectedBot } from "./support/startConnectedBot.js"
import { token } from "./support/tokens.js"
import { waitForTokens } from "./support/waitForTokens.js"

const MAX_PENDING = 20
const MESSAGES = 1_000
const CONVERSATIONS = 100

describe("fault: a sender keeps the backlog exactly at its bound", () => {
  let sim: Simulator | undefined
  let bot: BotProcess | undefined

  afterEach(async () => {
    await bot?.stop()
    await sim?.close()
    bot = undefined
    sim = undefined
  })

  // A reply reaches DingTalk before the bot frees its place, so the next message can find the backlog full for a
  // moment. It must wait for that place, not for DingTalk's redelivery a minute later.
  it("answers every message in seconds when each answer lets the next one in", async () => {
    const started = await startSimulator()
    sim = started
    const running = await startConnectedBot(started, {
      ...botConfig(started, { maxPendingMessages: MAX_PENDING }),
      store: { kind: "memory" },
    })
    bot = running
    const users = Array.from({ length: CONVERSATIONS }, (_, index) =>
      started.addUser({ nick: `满载${index}` }),
    )
    const conversations = users.map((user) => started.dm(user))
    const tokens = Array.from({ length: MESSAGES }, (_, index) => token("full", index))
    let sent = 0
    const sendNext = () => {
      const index = sent
      if (index >= MESSAGES) return
      sent += 1
      const at = index % CONVERSATIONS
      const user = users[at]
      const conversation = conversations[at]
      if (user === undefined || conversation === undefined) throw new Error("no conversation")
      void started.sendText(conversation, user, `满载 ${tokens[index]}`)
    }
    const unsubscribe = started.onReply(() => sendNext())
    try {
      for (let index = 0; index < MAX_PENDING; index += 1) sendNext()
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
