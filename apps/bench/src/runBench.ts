import type { SimApp, Simulator } from "@openpollen/simulator"
import type { BenchResult } from "./BenchResult.js"
import { type BotKind, type LaunchOptions, launchBot } from "./bots.js"
import { downloadOnce } from "./downloadOnly.js"
import { forceFullGc } from "./inspector.js"
import { type LatencyFigures, latencyOverRuns } from "./latencyRuns.js"
import { MachineWatch } from "./MachineWatch.js"
import { MEMORY_WINDOW, openpollenOptions } from "./openpollenOptions.js"
import type { Profile } from "./profiles.js"
import { first, makeChats, ReplyTracker, sleep } from "./ReplyTracker.js"
import { type RoundFigures, summarizeRounds } from "./roundStats.js"
import { measureCards } from "./scenarios/cards.js"
import { measureLatency } from "./scenarios/latency.js"
import { measureReconnectGap } from "./scenarios/reconnect.js"
import { measureThroughput } from "./scenarios/throughput.js"
import { settle } from "./settle.js"
import { median, spread } from "./stats.js"
import { type Contender, underLoad } from "./underLoad.js"

/** How long a bot sits idle after connecting before its idle RSS is read. */
const IDLE_MS = 2_000

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`)

interface StartFigures {
  readonly coldStartMs: Array<number>
  readonly idleRssMb: Array<number>
}

interface Launch {
  readonly kind: BotKind
  readonly app: SimApp
  readonly options: LaunchOptions
}

/**
 * Each launch's cold start, and its RSS once it has been idle for IDLE_MS after connecting: the bots start in turn,
 * `runs` times each, so a slower spell of the machine falls on both.
 */
const coldStarts = async (sim: Simulator, launches: ReadonlyArray<Launch>, runs: number) => {
  const figures = launches.map((): StartFigures => ({ coldStartMs: [], idleRssMb: [] }))
  for (let run = 0; run < runs; run++)
    for (const [index, { kind, app, options }] of launches.entries()) {
      const bot = await launchBot(kind, sim, app, options)
      figures[index]?.coldStartMs.push(bot.coldStartMs)
      await sleep(IDLE_MS)
      figures[index]?.idleRssMb.push(bot.rssMb())
      await bot.stop()
    }
  return figures
}

/** Every scenario of the profile, side by side with the baseline, watching the machine for other work. */
export const runBench = async (sim: Simulator, profile: Profile): Promise<BenchResult> => {
  const [oursApp, baselineApp, sqliteApp] = sim.apps as [SimApp, SimApp, SimApp]
  const oursOptions = openpollenOptions(profile)
  const oursTracker = new ReplyTracker(sim, 1)
  const baselineTracker = new ReplyTracker(sim, 2)
  const sqliteTracker = new ReplyTracker(sim, 3)

  const machine = await MachineWatch.start(profile.loadSettleMs, progress)
  progress(`cold start and idle RSS, median of ${profile.coldStarts}, the bots in turn`)
  const [oursStarts, baselineStarts] = (await machine.phase("cold_start", () =>
    coldStarts(
      sim,
      [
        { kind: "openpollen", app: oursApp, options: oursOptions },
        { kind: "baseline", app: baselineApp, options: {} },
      ],
      profile.coldStarts,
    ),
  )) as [StartFigures, StartFigures]

  const ours: Contender = {
    bot: await launchBot("openpollen", sim, oursApp, oursOptions),
    tracker: oursTracker,
    chats: makeChats(sim, profile.throughputChats),
  }
  const baseline: Contender = {
    bot: await launchBot("baseline", sim, baselineApp),
    tracker: baselineTracker,
    chats: makeChats(sim, profile.throughputChats),
  }
  const sqlite: Contender = {
    bot: await launchBot("openpollen", sim, sqliteApp, { ...oursOptions, store: { kind: "sqlite" } }),
    tracker: sqliteTracker,
    chats: makeChats(sim, profile.throughputChats),
  }
  const both = async <A>(measure: (contender: Contender) => Promise<A>): Promise<[A, A]> => [
    await measure(ours),
    await measure(baseline),
  ]

  progress(`warm-up, ${profile.warmupMessages} messages each`)
  await both((c) => measureThroughput(c.tracker, c.bot.app, c.chats, profile.warmupMessages, profile.window))
  await measureThroughput(
    sqlite.tracker,
    sqlite.bot.app,
    sqlite.chats,
    profile.warmupMessages,
    profile.window,
  )

  progress(
    `throughput, ${profile.throughputMessages} messages over ${profile.throughputChats} conversations, in ${profile.throughputRounds} alternating rounds`,
  )
  const load = await machine.phase("throughput", () => underLoad([ours, baseline, sqlite], profile))
  const [oursRounds, baselineRounds, sqliteRounds] = load.rounds as [
    ReadonlyArray<RoundFigures>,
    ReadonlyArray<RoundFigures>,
    ReadonlyArray<RoundFigures>,
  ]
  const [rssPeakMb, baselineRssPeakMb] = load.rssPeakMb

  progress(
    `latency, ${profile.latencyMessages} messages at ${profile.latencyRatePerSecond}/s, median of ${profile.latencyRuns} runs`,
  )
  const fixedRate = async (c: Contender) => {
    await settle()
    return measureLatency(
      c.tracker,
      c.bot.app,
      c.chats,
      profile.latencyRatePerSecond,
      profile.latencyMessages,
    )
  }
  const [latency, baselineLatency, sqliteLatency] = (await machine.phase("latency", () =>
    latencyOverRuns([ours, baseline, sqlite], profile.latencyRuns, fixedRate),
  )) as [LatencyFigures, LatencyFigures, LatencyFigures]
  await sqlite.bot.stop()

  progress(`reconnect gap, median of ${profile.reconnectIterations}`)
  const [reconnectGapMs, baselineReconnectGapMs] = await both((c) =>
    measureReconnectGap(sim, c.tracker, c.bot, first(c.chats), profile.reconnectIterations),
  )
  await Promise.all([ours.bot.stop(), baseline.bot.stop()])

  progress(`memory, ${profile.memoryMessages} messages over ${profile.memoryChats} conversations`)
  const fresh = await launchBot("openpollen", sim, oursApp, { ...oursOptions, inspect: true })
  await measureThroughput(
    oursTracker,
    oursApp,
    makeChats(sim, profile.memoryChats),
    profile.memoryMessages,
    MEMORY_WINDOW,
  )
  await sleep(1_000)
  const rssAfterMb = fresh.rssMb()
  const inspectorUrl = fresh.inspectorUrl()
  if (inspectorUrl === undefined) throw new Error("the bot's inspector did not start")
  await forceFullGc(inspectorUrl)
  const rssAfterGcMb = fresh.rssMb()

  await fresh.stop()

  const download = await downloadOnce(sim, oursApp, profile)
  const cards = await measureCards(profile)

  oursTracker.close()
  baselineTracker.close()
  sqliteTracker.close()
  return {
    profile: profile.name,
    throughput_round_count: profile.throughputRounds,
    ...summarizeRounds(oursRounds, baselineRounds, sqliteRounds),
    p50_ms: latency.p50Ms,
    p99_ms: latency.p99Ms,
    p99_ms_runs: latency.p99RunsMs,
    baseline_p50_ms: baselineLatency.p50Ms,
    baseline_p99_ms: baselineLatency.p99Ms,
    baseline_p99_ms_runs: baselineLatency.p99RunsMs,
    reconnect_gap_ms: reconnectGapMs,
    baseline_reconnect_gap_ms: baselineReconnectGapMs,
    rss_peak_mb: rssPeakMb ?? Number.NaN,
    baseline_rss_peak_mb: baselineRssPeakMb ?? Number.NaN,
    idle_rss_mb: median(oursStarts.idleRssMb),
    idle_rss_mb_spread: spread(oursStarts.idleRssMb),
    baseline_idle_rss_mb: median(baselineStarts.idleRssMb),
    baseline_idle_rss_mb_spread: spread(baselineStarts.idleRssMb),
    rss_after_100k_mb: rssAfterMb,
    rss_after_100k_gc_mb: rssAfterGcMb,
    memory_messages: profile.memoryMessages,
    download_rss_delta_mb: download.rssDeltaMb,
    download_ms: download.elapsedMs,
    download_mb: profile.downloadBytes / 1024 / 1024,
    cold_start_ms: median(oursStarts.coldStartMs),
    cold_start_ms_spread: spread(oursStarts.coldStartMs),
    baseline_cold_start_ms: median(baselineStarts.coldStartMs),
    baseline_cold_start_ms_spread: spread(baselineStarts.coldStartMs),
    lost: oursTracker.lost,
    duplicates: oursTracker.duplicates,
    baseline_lost: baselineTracker.lost,
    baseline_duplicates: baselineTracker.duplicates,
    sqlite_p50_ms: sqliteLatency.p50Ms,
    sqlite_p99_ms: sqliteLatency.p99Ms,
    sqlite_p99_ms_runs: sqliteLatency.p99RunsMs,
    sqlite_lost: sqliteTracker.lost,
    sqlite_duplicates: sqliteTracker.duplicates,
    ...cards,
    ...machine.figures(load.foreignCpuShareRounds),
  }
}
