import { type Simulator, startSimulator } from "@openpollen/simulator"
import { afterEach, describe, expect, it } from "vitest"
import { type BotProcess, until } from "../e2e/harness/BotProcess.js"
import { botStatus } from "./support/botStatus.js"
import { expectExactlyOnce } from "./support/expectExactlyOnce.js"
import { startConnectedBot } from "./support/startConnectedBot.js"
import { token } from "./support/tokens.js"
import { waitForQuiet } from "./support/waitForQuiet.js"
import { waitForTokens } from "./support/waitForTokens.js"

const REDELIVERY_MS = 300

describe("fault: redelivered and duplicated callbacks", () => {
  let sim: Simulator | undefined
  let bot: BotProcess | undefined

  afterEach(async () => {
    await bot?.stop()
    await sim?.close()
    bot = undefined
    sim = undefined
  })

  const connect = async (options: { readonly reuseMessageIdOnRedelivery?: boolean } = {}) => {
    const started = await startSimulator({
      redeliveryTimeoutMs: REDELIVERY_MS,
      maxRedeliveries: 10,
      ...options,
    })
    sim = started
    bot = await startConnectedBot(started)
    return { sim: started, bot }
  }

  /** Pushes one message per token into its own DM and group, alternating; returns the deliveries. */
  const pushAll = async (sim: Simulator, tokens: ReadonlyArray<string>) => {
    const alice = sim.addUser({ nick: "王芳" })
    return Promise.all(
      tokens.map((text, index) => {
        const user = sim.addUser({ nick: `用户${index}` })
        const conversation =
          index % 2 === 0 ? sim.dm(user) : sim.group({ title: `群${index}`, members: [alice, user] })
        return sim.sendText(conversation, user, `请复述 ${text}`)
      }),
    )
  }

  it("answers each un-ACKed message once although it is pushed again and again (new messageId each time)", async () => {
    const { sim, bot } = await connect()
    const [connection] = sim.connections()
    if (connection === undefined) throw new Error("the bot has no connection")
    sim.setConnectionFault(connection.id, { dropAcks: true })
    const tokens = Array.from({ length: 30 }, (_, index) => token("s1a", index))
    const deliveries = await pushAll(sim, tokens)
    // Every message goes out at least three times before its ACKs are honoured again.
    await until(() => sim.counters.redeliveries >= tokens.length * 2, 15_000, "two redeliveries per message")
    sim.setConnectionFault(connection.id, { dropAcks: false })
    await Promise.all(deliveries.map((delivery) => delivery.acked))
    await waitForTokens(sim, tokens, 10_000)
    await waitForQuiet(sim, [bot], { quietMs: REDELIVERY_MS * 3, timeoutMs: 15_000 })
    expectExactlyOnce(sim, tokens)
    const { messages } = await botStatus(bot)
    expect(messages?.duplicates).toBeGreaterThanOrEqual(tokens.length * 2)
    expect(messages?.replied).toBe(tokens.length)
  }, 60_000)

  it("answers once when DingTalk pushes the same msgId again as a fresh delivery after the ACK", async () => {
    const { sim, bot } = await connect()
    const tokens = Array.from({ length: 30 }, (_, index) => token("s1b", index))
    const deliveries = await pushAll(sim, tokens)
    await Promise.all(deliveries.map((delivery) => delivery.acked))
    await waitForTokens(sim, tokens, 10_000)
    // The same data (same msgId), new headers.messageId, once after the reply and twice more at once.
    const again = await Promise.all(deliveries.map((delivery) => sim.sendRaw(delivery.data)))
    const burst = await Promise.all(
      deliveries.flatMap((delivery) => [sim.sendRaw(delivery.data), sim.sendRaw(delivery.data)]),
    )
    await Promise.all([...again, ...burst].map((delivery) => delivery.acked))
    await waitForQuiet(sim, [bot], { quietMs: REDELIVERY_MS * 3, timeoutMs: 15_000 })
    expectExactlyOnce(sim, tokens)
    const { messages } = await botStatus(bot)
    // At least the three copies; a copy ACKed later than the 300 ms redelivery timeout comes once more.
    expect(messages?.duplicates).toBeGreaterThanOrEqual(tokens.length * 3)
  }, 60_000)

  it("answers once when a redelivery reuses the old messageId", async () => {
    const { sim, bot } = await connect({ reuseMessageIdOnRedelivery: true })
    const [connection] = sim.connections()
    if (connection === undefined) throw new Error("the bot has no connection")
    sim.setConnectionFault(connection.id, { dropAcks: true })
    const tokens = Array.from({ length: 30 }, (_, index) => token("s1c", index))
    const deliveries = await pushAll(sim, tokens)
    await until(() => sim.counters.redeliveries >= tokens.length * 2, 15_000, "two redeliveries per message")
    sim.setConnectionFault(connection.id, { dropAcks: false })
    await Promise.all(deliveries.map((delivery) => delivery.acked))
    await waitForTokens(sim, tokens, 10_000)
    await waitForQuiet(sim, [bot], { quietMs: REDELIVERY_MS * 3, timeoutMs: 15_000 })
    expectExactlyOnce(sim, tokens)
  }, 60_000)
})
