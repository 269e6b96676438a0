import type { SimApp, Simulator } from "@openpollen/simulator"
import { launchBot } from "./bots.js"
import type { Profile } from "./profiles.js"
import { makeChats, ReplyTracker } from "./ReplyTracker.js"
import { roundResult } from "./report.js"
import { type RoundFigures, summarizeRounds } from "./roundStats.js"
import { measureLatency } from "./scenarios/latency.js"
import { measureThroughput } from "./scenarios/throughput.js"
import { settle } from "./settle.js"
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
    const [memoryRounds, baselineRounds, sqliteRounds] = (await underLoad(contenders, profile)).rounds as [
      ReadonlyArray<RoundFigures>,
      ReadonlyArray<RoundFigures>,
      ReadonlyArray<RoundFigures>,
    ]
    const rounds = summarizeRounds(memoryRounds, baselineRounds, sqliteRounds)
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
      memory_throughput: rounds.throughput,
      baseline_throughput: rounds.baseline_throughput,
      sqlite_throughput: rounds.sqlite_throughput,
      memory_throughput_ratio: rounds.throughput_ratio,
      memory_throughput_ratio_rounds: rounds.throughput_ratio_rounds,
      sqlite_throughput_ratio: rounds.sqlite_throughput_ratio,
      sqlite_throughput_ratio_rounds: rounds.sqlite_throughput_ratio_rounds,
      memory_p99_ms: memoryLatency?.p99Ms,
      baseline_p99_ms: baselineLatency?.p99Ms,
      sqlite_p50_ms: sqliteLatency?.p50Ms,
      sqlite_p99_ms: sqliteLatency?.p99Ms,
      sqlite_cpu_ms_per_message: rounds.sqlite_cpu_ms_per_message,
      sqlite_cpu_ratio: rounds.sqlite_cpu_ratio,
      memory_cpu_ms_per_message: rounds.cpu_ms_per_message,
      memory_main_thread_ms_per_message: rounds.main_thread_ms_per_message,
      baseline_main_thread_ms_per_message: rounds.baseline_main_thread_ms_per_message,
      sqlite_main_thread_ms_per_message: rounds.sqlite_main_thread_ms_per_message,
      memory_main_thread_busy: rounds.main_thread_busy,
      baseline_main_thread_busy: rounds.baseline_main_thread_busy,
      sqlite_main_thread_busy: rounds.sqlite_main_thread_busy,
      sqlite_lost: contenders[2].tracker.lost,
      sqlite_duplicates: contenders[2].tracker.duplicates,
    }
    console.log(JSON.stringify(roundResult(result)))
  } finally {
    await Promise.all(contenders.map((c) => c.bot.stop()))
    for (const c of contenders) c.tracker.close()
  }
}
