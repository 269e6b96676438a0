import { type Simulator, startSimulator } from "@openpollen/simulator"
import { afterEach, describe, expect, it } from "vitest"
import type { BotProcess } from "../e2e/harness/BotProcess.js"
import { botStatus } from "./support/botStatus.js"
import { expectExactlyOnce } from "./support/expectExactlyOnce.js"
import { startConnectedBot } from "./support/startConnectedBot.js"
import { token } from "./support/tokens.js"
import { waitForQuiet } from "./support/waitForQuiet.js"
import { waitForTokens } from "./support/waitForTokens.js"

const REDELIVERY_MS = 500
const FAULTY = 12
const HEALTHY = 18

describe("fault: a session webhook that delivers, then answers 502", () => {
  let sim: Simulator | undefined
  let bot: BotProcess | undefined

  afterEach(async () => {
    await bot?.stop()
    await sim?.close()
    bot = undefined
    sim = undefined
  })

  /** One message per token, each in its own DM or group (alternating), so every reply is attributable. */
  const pushAll = (sim: Simulator, tokens: ReadonlyArray<string>, offset: number) => {
    const colleague = sim.addUser({ nick: "王芳" })
    return Promise.all(
      tokens.map((text, index) => {
        const user = sim.addUser({ nick: `用户${offset + index}` })
        const conversation =
          index % 2 === 0
            ? sim.dm(user)
            : sim.group({ title: `群${offset + index}`, members: [colleague, user] })
        return sim.sendText(conversation, user, `请复述 ${text}`)
      }),
    )
  }

  it("answers every message exactly once: no Open API copy and no retry after a 502 that delivered", async () => {
    sim = await startSimulator({ redeliveryTimeoutMs: REDELIVERY_MS, maxRedeliveries: 10 })
    bot = await startConnectedBot(sim)
    const faulty = Array.from({ length: FAULTY }, (_, index) => token("w502f", index))
    const healthy = Array.from({ length: HEALTHY }, (_, index) => token("w502h", index))
    const tokens = [...faulty, ...healthy]

    sim.setFault("webhook", { statusAfterDelivery: 502 })
    await pushAll(sim, faulty, 0)
    await waitForTokens(sim, faulty, 20_000)
    await waitForQuiet(sim, [bot], { quietMs: REDELIVERY_MS * 3, timeoutMs: 20_000 })
    sim.clearFault("webhook")
    await pushAll(sim, healthy, FAULTY)
    await waitForTokens(sim, healthy, 20_000)
    await waitForQuiet(sim, [bot], { quietMs: REDELIVERY_MS * 3, timeoutMs: 20_000 })

    expectExactlyOnce(sim, tokens)
    expect(new Set(sim.replies.map((reply) => reply.via))).toEqual(new Set(["webhook"]))
    expect(sim.counters.webhookCalls).toBe(tokens.length)
    expect(sim.counters.groupSends + sim.counters.batchSends).toBe(0)
    const { messages } = await botStatus(bot)
    expect(messages).toMatchObject({
      received: tokens.length,
      replied: HEALTHY,
      replyFailures: FAULTY,
      webhookParts: HEALTHY,
      openApiParts: 0,
      fallbacks: 0,
      ambiguousRetries: 0,
      duplicates: 0,
    })
  }, 90_000)
})
