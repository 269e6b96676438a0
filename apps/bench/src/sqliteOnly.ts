import type { SimApp, Simulator } from "@openpollen/simulator"
import { launchBot } from "./bots.js"
import type { Profile } from "./profiles.js"
import { makeChats, ReplyTracker } from "./ReplyTracker.js"
import { measureLatency } from "./scenarios/latency.js"
import { measureThroughput } from "./scenarios/throughput.js"
import { settle } from "./settle.js"
import { round } from "./stats.js"
import { type Contender, underLoad } from "./underLoad.js"

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`)

/**
 * `--only sqlite`: the bot with the memory store, the same bot with the SQLite store and the raw SDK bot, side by
 * side in one run (throughput in rotating rounds, then latency at a fixed rate); one JSON line.
 */
export const sqliteOnly = async (sim: Simulator, profile: Profile) => {
  const [memoryApp, baselineApp, sqliteApp] = sim.apps as [SimApp, SimApp, SimApp]
  const contender = async (
    kind: "openpollen" | "baseline",
    app: SimApp,
    id: number,
    store?: Record<string, unknown>,
  ): Promise<Contender> => ({
    bot: await launchBot(kind, sim, app, store === undefined ? {} : { store }),
    tracker: new ReplyTracker(sim, id),
    chats: makeChats(sim, profile.throughputChats),
  })
  const contenders = [
    await contender("openpollen", memoryApp, 1, { kind: "memory" }),
    await contender("baseline", baselineApp, 2),
    await contender("openpollen", sqliteApp, 3, { kind: "sqlite" }),
  ] as const
  try {
    progress(`warm-up, ${profile.warmupMessages} messages each`)
    for (const c of contenders)
      await measureThroughput(c.tracker, c.bot.app, c.chats, profile.warmupMessages, profile.window)
    progress(
      `throughput, ${profile.throughputMessages} messages each, in ${profile.throughputRounds} rotating rounds`,
    )
    const [memory, baseline, sqlite] = await underLoad(contenders, profile)
    progress(`latency, ${profile.latencyMessages} messages at ${profile.latencyRatePerSecond}/s`)
    const latencies = []
    for (const c of contenders) {
      await settle()
      latencies.push(
        await measureLatency(
          c.tracker,
          c.bot.app,
          c.chats,
          profile.latencyRatePerSecond,
          profile.latencyMessages,
        ),
      )
    }
    const [memoryLatency, baselineLatency, sqliteLatency] = latencies
    const result = {
      profile: profile.name,
      memory_throughput: memory?.repliesPerSecond,
      baseline_throughput: baseline?.repliesPerSecond,
      sqlite_throughput: sqlite?.repliesPerSecond,
      memory_throughput_ratio: (memory?.repliesPerSecond ?? 0) / (baseline?.repliesPerSecond ?? 1),
      sqlite_throughput_ratio: (sqlite?.repliesPerSecond ?? 0) / (baseline?.repliesPerSecond ?? 1),
      memory_p99_ms: memoryLatency?.p99Ms,
      baseline_p99_ms: baselineLatency?.p99Ms,
      sqlite_p50_ms: sqliteLatency?.p50Ms,
      sqlite_p99_ms: sqliteLatency?.p99Ms,
      sqlite_cpu_ms_per_message: sqlite?.cpuMsPerMessage,
      memory_cpu_ms_per_message: memory?.cpuMsPerMessage,
      sqlite_lost: contenders[2].tracker.lost,
      sqlite_duplicates: contenders[2].tracker.duplicates,
    }
    console.log(
      JSON.stringify(
        Object.fromEntries(
          Object.entries(result).map(([key, value]) => [
            key,
            typeof value === "number" ? round(value, 2) : value,
          ]),
        ),
      ),
    )
  } finally {
    await Promise.all(contenders.map((c) => c.bot.stop()))
    for (const c of contenders) c.tracker.close()
  }
}
