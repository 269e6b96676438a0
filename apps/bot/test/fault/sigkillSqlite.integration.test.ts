import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { type ReceivedReply, type SimConversation, type SimUser, startSimulator } from "@openpollen/simulator"
import { describe, expect, it } from "vitest"
import { type BotProcess, botConfig, until } from "../e2e/harness/BotProcess.js"
import { countTokens } from "./support/expectExactlyOnce.js"
import { seededRandom } from "./support/seededRandom.js"
import { startConnectedBot } from "./support/startConnectedBot.js"
import { startSlowModel } from "./support/startSlowModel.js"
import { token, tokensIn } from "./support/tokens.js"

const SEED = 0x5eed16
/** Five bots side by side, ten kills each: fifty kills in all. */
const ROUNDS_PER_LANE = Number(process.env.SIGKILL_ROUNDS ?? 10)
const ANSWER_MS = 150
/**
 * The documented window: a reply already sent when the process dies before the commit that marks its message
 * answered (one event-loop turn later) is sent again on the next start. The test reads the dead bot's file to know
 * which answered messages were in it, at every kill and for every message so far: a restarted bot answering an
 * earlier round's message can be killed in that window too.
 */

const KILL_POINTS = ["before-ack", "after-ack", "mid-agent", "mid-reply"] as const
type KillPoint = (typeof KILL_POINTS)[number]

interface LaneResult {
  readonly points: ReadonlyArray<KillPoint>
  readonly output: string
}

/** One bot on its own simulator and database file, killed `rounds` times, then started once more and checked. */
const runLane = async (
  lane: number,
  rounds: number,
  model: Awaited<ReturnType<typeof startSlowModel>>,
): Promise<LaneResult> => {
  const random = seededRandom(SEED + lane)
  const stateDir = mkdtempSync(join(tmpdir(), "openpollen-sigkill-"))
  const sim = await startSimulator({ redeliveryTimeoutMs: 1_000, maxRedeliveries: 100 })
  const config = {
    ...botConfig(sim),
    agent: {
      provider: "openai",
      openai: { baseUrl: model.baseUrl, apiKey: "sk-fault-suite", maxHistoryMessages: 500 },
    },
    // A bot killed again and again before it answers would move the message to the dead letters after 5 tries:
    // right for a message that crashes the bot, not for this test's kills.
    store: { kind: "sqlite", path: join(stateDir, "bot.sqlite"), maxDeliveries: 1_000 },
  }
  const users: Array<SimUser> = [0, 1, 2].map((index) => sim.addUser({ nick: `断电${lane}-${index}` }))
  const conversations: Array<SimConversation> = [
    sim.dm(users[0] as SimUser),
    sim.dm(users[1] as SimUser),
    sim.group({ title: `断电群${lane}`, members: [users[2] as SimUser] }),
  ]
  const senderOf = (index: number) => users[index] as SimUser
  const family = `k${lane}`
  const tokens: Array<string> = []
  const tokensOf = new Map<number, Array<string>>()
  const msgIdOf = new Map<string, string>()
  // Per token, the kills that came after its reply was sent and before its completion was committed: the documented
  // window allows one more reply for each.
  const windows = new Map<string, number>()
  const answeredIn = (databasePath: string, msgIds: ReadonlyArray<string>) => {
    const db = new DatabaseSync(databasePath, { readOnly: true })
    try {
      return msgIds.filter(
        (msgId) =>
          db.prepare("SELECT 1 FROM dedupe WHERE key LIKE ?").get(`${sim.app.robotCode}:%:${msgId}`) !==
          undefined,
      )
    } finally {
      db.close()
    }
  }
  const points: Array<KillPoint> = []
  const repliedWith = (text: string) => (reply: ReceivedReply) => tokensIn(reply.text).includes(text)
  let bot: BotProcess | undefined
  try {
    for (let round = 0; round < rounds; round += 1) {
      bot = await startConnectedBot(sim, config)
      const point = KILL_POINTS[Math.floor(random() * KILL_POINTS.length)] as KillPoint
      points.push(point)
      const index = Math.floor(random() * conversations.length)
      const sent = [token(family, tokens.length), token(family, tokens.length + 1)]
      tokens.push(...sent)
      tokensOf.set(index, [...(tokensOf.get(index) ?? []), ...sent])
      const requestsBefore = model.transcripts().length
      const deliveries = await Promise.all(
        sent.map((text) =>
          sim.sendText(conversations[index] as SimConversation, senderOf(index), `断电 ${text}`),
        ),
      )
      if (point === "after-ack") await deliveries[0]?.acked
      if (point === "mid-agent")
        await until(
          () =>
            model
              .transcripts()
              .slice(requestsBefore)
              .some(
                (messages) =>
                  messages.at(-1)?.text.includes(sent[0] ?? "") === true ||
                  messages.at(-1)?.text.includes(sent[1] ?? "") === true,
              ),
          10_000,
          "the agent asked",
        )
      if (point === "mid-reply")
        await until(() => sim.replies.some(repliedWith(sent[0] ?? "")), 10_000, "a first reply")
      for (const [at, text] of sent.entries()) msgIdOf.set(text, deliveries[at]?.msgId ?? "")
      process.kill(bot.pid, "SIGKILL")
      await bot.exited
      // A reply the dead bot finished sending may still be in the simulator's queue when its exit is seen.
      await sim.settled()
      const committed = new Set(answeredIn(config.store.path, [...msgIdOf.values()]))
      for (const [text, msgId] of msgIdOf)
        if (sim.replies.some(repliedWith(text)) && !committed.has(msgId))
          windows.set(text, (windows.get(text) ?? 0) + 1)
      await bot.stop()
      bot = undefined
    }

    bot = await startConnectedBot(sim, config)
    await until(
      () => [...countTokens(sim.replies, tokens).values()].every((count) => count > 0),
      60_000,
      `lane ${lane}: every message answered after the last start`,
    )
    // Every conversation's next question carries its earlier turns: the history survived every kill.
    for (const [index, earlier] of tokensOf) {
      const last = token(family, tokens.length)
      tokens.push(last)
      await sim.sendText(conversations[index] as SimConversation, senderOf(index), `断电 ${last}`)
      await until(() => sim.replies.some(repliedWith(last)), 15_000, `the reply to ${last}`)
      const asked = model.transcripts().find((messages) => messages.at(-1)?.text.includes(last))
      const history = (asked ?? []).map((message) => message.text).join("\n")
      expect(earlier.filter((text) => !history.includes(text))).toEqual([])
    }

    const counts = countTokens(sim.replies, tokens)
    expect([...counts].filter(([, count]) => count === 0)).toEqual([])
    const outsideWindow = [...counts]
      .filter(([text, count]) => count > 1 + (windows.get(text) ?? 0))
      .map(([text, count]) => `${text} ×${count}`)
    expect(outsideWindow).toEqual([])
    return { points, output: bot.output() }
  } finally {
    await bot?.stop()
    await sim.close()
    rmSync(stateDir, { recursive: true, force: true })
  }
}

const LANES = Number(process.env.SIGKILL_LANES ?? 5)

describe("fault: SIGKILL at random points with the SQLite store", () => {
  it(`answers every message across ${LANES * ROUNDS_PER_LANE} kills, none twice outside the window, history kept`, async () => {
    const model = await startSlowModel({ delayMs: ANSWER_MS })
    try {
      const lanes = await Promise.all(
        Array.from({ length: LANES }, (_, lane) => runLane(lane, ROUNDS_PER_LANE, model)),
      )
      const points = new Set(lanes.flatMap((lane) => lane.points))
      expect([...points].sort()).toEqual([...KILL_POINTS].sort())
      for (const lane of lanes) expect(lane.output).not.toMatch(/ExperimentalWarning/)
    } finally {
      await model.close()
    }
  }, 300_000)
})
