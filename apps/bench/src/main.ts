import { parseArgs } from "node:util"
import { type SimApp, type Simulator, startSimulator } from "@openpollen/simulator"
import { type BotKind, type LaunchOptions, launchBot, stopEveryBot } from "./bots.js"
import { downloadOnce, downloadOnly } from "./downloadOnly.js"
import { forceFullGc } from "./inspector.js"
import { MEMORY_WINDOW, openpollenOptions } from "./openpollenOptions.js"
import { FULL, type Profile, SMOKE } from "./profiles.js"
import { first, makeChats, ReplyTracker, sleep } from "./ReplyTracker.js"
import { type BenchResult, renderTable, roundResult, TARGETS } from "./report.js"
import { measureCards } from "./scenarios/cards.js"
import { measureLatency } from "./scenarios/latency.js"
import { measureReconnectGap } from "./scenarios/reconnect.js"
import { measureThroughput } from "./scenarios/throughput.js"
import { settle } from "./settle.js"
import { sqliteOnly } from "./sqliteOnly.js"
import { median } from "./stats.js"
import { type Contender, type LoadSummary, underLoad } from "./underLoad.js"

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`)

const medianColdStart = async (
  kind: BotKind,
  sim: Simulator,
  app: SimApp,
  options: LaunchOptions,
  runs: number,
) => {
  const samples: Array<number> = []
  for (let run = 0; run < runs; run++) {
    const bot = await launchBot(kind, sim, app, options)
    samples.push(bot.coldStartMs)
    await bot.stop()
  }
  return median(samples)
}

const bench = async (sim: Simulator, profile: Profile): Promise<BenchResult> => {
  const [oursApp, baselineApp, sqliteApp] = sim.apps as [SimApp, SimApp, SimApp]
  const oursOptions = openpollenOptions(profile)
  const oursTracker = new ReplyTracker(sim, 1)
  const baselineTracker = new ReplyTracker(sim, 2)
  const sqliteTracker = new ReplyTracker(sim, 3)

  progress(`cold start, median of ${profile.coldStarts}`)
  const coldStartMs = await medianColdStart("openpollen", sim, oursApp, oursOptions, profile.coldStarts)
  const baselineColdStartMs = await medianColdStart("baseline", sim, baselineApp, {}, profile.coldStarts)

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
  const [throughput, baselineThroughput, sqliteThroughput] = (await underLoad(
    [ours, baseline, sqlite],
    profile,
  )) as [LoadSummary, LoadSummary, LoadSummary]

  progress(`latency, ${profile.latencyMessages} messages at ${profile.latencyRatePerSecond}/s`)
  const [latency, baselineLatency] = await both(async (c) => {
    await settle()
    return measureLatency(
      c.tracker,
      c.bot.app,
      c.chats,
      profile.latencyRatePerSecond,
      profile.latencyMessages,
    )
  })

  await settle()
  const sqliteLatency = await measureLatency(
    sqlite.tracker,
    sqlite.bot.app,
    sqlite.chats,
    profile.latencyRatePerSecond,
    profile.latencyMessages,
  )
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
    throughput: throughput.repliesPerSecond,
    baseline_throughput: baselineThroughput.repliesPerSecond,
    throughput_ratio: throughput.repliesPerSecond / baselineThroughput.repliesPerSecond,
    cpu_ms_per_message: throughput.cpuMsPerMessage,
    baseline_cpu_ms_per_message: baselineThroughput.cpuMsPerMessage,
    p50_ms: latency.p50Ms,
    p99_ms: latency.p99Ms,
    baseline_p50_ms: baselineLatency.p50Ms,
    baseline_p99_ms: baselineLatency.p99Ms,
    reconnect_gap_ms: reconnectGapMs,
    baseline_reconnect_gap_ms: baselineReconnectGapMs,
    rss_peak_mb: throughput.rssPeakMb,
    baseline_rss_peak_mb: baselineThroughput.rssPeakMb,
    rss_after_100k_mb: rssAfterMb,
    rss_after_100k_gc_mb: rssAfterGcMb,
    memory_messages: profile.memoryMessages,
    download_rss_delta_mb: download.rssDeltaMb,
    download_ms: download.elapsedMs,
    download_mb: profile.downloadBytes / 1024 / 1024,
    cold_start_ms: coldStartMs,
    baseline_cold_start_ms: baselineColdStartMs,
    lost: oursTracker.lost,
    duplicates: oursTracker.duplicates,
    baseline_lost: baselineTracker.lost,
    baseline_duplicates: baselineTracker.duplicates,
    sqlite_throughput: sqliteThroughput.repliesPerSecond,
    sqlite_throughput_ratio: sqliteThroughput.repliesPerSecond / baselineThroughput.repliesPerSecond,
    sqlite_p50_ms: sqliteLatency.p50Ms,
    sqlite_p99_ms: sqliteLatency.p99Ms,
    sqlite_lost: sqliteTracker.lost,
    sqlite_duplicates: sqliteTracker.duplicates,
    ...cards,
  }
}

const { values } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    check: { type: "boolean", default: false },
    only: { type: "string" },
    runs: { type: "string", default: "1" },
  },
})
const ONLY = ["download", "sqlite", "cards"]
if (values.only !== undefined && !ONLY.includes(values.only))
  throw new Error(`--only takes: ${ONLY.join(", ")}`)
const downloadRuns = Number(values.runs)
if (!Number.isInteger(downloadRuns) || downloadRuns < 1) throw new Error("--runs takes a positive integer")
const profile = values.smoke ? SMOKE : FULL
const sim = await startSimulator({
  apps: [
    { clientId: "bench-openpollen", clientSecret: "bench-openpollen-secret" },
    { clientId: "bench-baseline", clientSecret: "bench-baseline-secret" },
    { clientId: "bench-sqlite", clientSecret: "bench-sqlite-secret" },
  ],
  disconnectGraceMs: profile.disconnectGraceMs,
})
try {
  if (values.only === "download") await downloadOnly(sim, profile, downloadRuns)
  else if (values.only === "sqlite") await sqliteOnly(sim, profile)
  else if (values.only === "cards") console.log(JSON.stringify(roundResult(await measureCards(profile))))
  else {
    const result = roundResult(await bench(sim, profile))
    console.log(renderTable(result))
    console.log(JSON.stringify(result))
    if (values.check && TARGETS.some((target) => !target.met(result))) process.exitCode = 1
  }
} catch (error) {
  progress(`failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
} finally {
  await stopEveryBot()
  await sim.close()
}
