import { startSimulator } from "@openpollen/simulator"
import { describe, expect, it } from "vitest"
import { botConfig } from "../e2e/harness/BotProcess.js"
import { botStatus } from "./support/botStatus.js"
import { collectGarbage, INSPECTABLE } from "./support/collectGarbage.js"
import { expectExactlyOnce } from "./support/expectExactlyOnce.js"
import { type FuzzKind, fuzzFrame } from "./support/fuzzFrames.js"
import { rssOf } from "./support/rssOf.js"
import { seededRandom } from "./support/seededRandom.js"
import { startConnectedBot } from "./support/startConnectedBot.js"
import { token } from "./support/tokens.js"
import { waitForTokens } from "./support/waitForTokens.js"

const SEED = 20_261_127
const FRAMES = 1_000
const BATCH = 50
/** What the bot still holds after a full GC: about 13 MiB measured (JIT code, allocator slack). */
const RETAINED_GROWTH_BOUND_MB = 32
/** V8 frees the ~1 MB frames' strings lazily: the peak measured about 100 MiB above the baseline. */
const PEAK_GROWTH_BOUND_MB = 160
const mb = (value: number) => `${value.toFixed(1)} MiB`

describe("fault: 1,000 fuzzed frames on the Stream connection", () => {
  it("keeps running and answering, on the same connection, with memory bounded", async () => {
    const sim = await startSimulator()
    const bot = await startConnectedBot(sim, botConfig(sim), INSPECTABLE)
    let exited = false
    void bot.exited.then(() => {
      exited = true
    })
    try {
      const user = sim.addUser({ nick: "模糊测试" })
      const dm = sim.dm(user)
      const group = sim.group({ title: "模糊测试群", members: [user] })
      const tokens: Array<string> = []
      const ask = async (family: string) => {
        const text = token(family, tokens.length)
        tokens.push(text)
        await sim.sendText(tokens.length % 2 === 0 ? dm : group, user, `还活着吗 ${text}`)
        return text
      }

      const warmUp = await Promise.all(Array.from({ length: 20 }, () => ask("s4w")))
      await waitForTokens(sim, warmUp, 10_000)
      await collectGarbage(bot)
      const before = rssOf(bot.pid)
      const opened = sim.counters.connectionsOpened
      const random = seededRandom(SEED)
      const kinds = new Map<FuzzKind, number>()
      let highest = before.rssMb
      for (let start = 0; start < FRAMES; start += BATCH) {
        for (let index = start; index < start + BATCH; index += 1) {
          const frame = fuzzFrame(random, index)
          kinds.set(frame.kind, (kinds.get(frame.kind) ?? 0) + 1)
          sim.pushRawFrame(frame.raw)
        }
        // Frames on one socket arrive in order: this answer means the batch before it has been read.
        await waitForTokens(sim, [await ask("s4f")], 20_000)
        highest = Math.max(highest, rssOf(bot.pid).rssMb)
      }
      const afterwards = await Promise.all(Array.from({ length: 10 }, () => ask("s4a")))
      await waitForTokens(sim, afterwards, 10_000)
      const unswept = rssOf(bot.pid)
      await collectGarbage(bot)
      const after = rssOf(bot.pid)

      expect(exited).toBe(false)
      expect(sim.counters.connectionsOpened).toBe(opened)
      expect([...kinds.values()].reduce((sum, count) => sum + count, 0)).toBe(FRAMES)
      expectExactlyOnce(sim, tokens)
      const status = await botStatus(bot)
      expect(status.connection?._tag).toBe("Connected")
      expect(status.messages?.malformed).toBeGreaterThanOrEqual(250)
      expect(status.stream?.badFrames).toBeGreaterThanOrEqual(500)
      const memory = `VmRSS ${mb(before.rssMb)} before, ${mb(unswept.rssMb)} after the frames, ${mb(after.rssMb)} after a full GC; highest sample ${mb(highest)}, VmHWM ${mb(after.peakMb)} (seed ${SEED})`
      expect(after.rssMb - before.rssMb, memory).toBeLessThan(RETAINED_GROWTH_BOUND_MB)
      expect(after.peakMb - before.rssMb, memory).toBeLessThan(PEAK_GROWTH_BOUND_MB)
    } finally {
      await bot.stop()
      await sim.close()
    }
  }, 90_000)
})
