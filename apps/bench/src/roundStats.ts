import { median, spread } from "./stats.js"

/** One bot's share of one throughput round: what it answered, how long it took, the CPU time it used. */
export interface RoundFigures {
  readonly messages: number
  readonly elapsedMs: number
  /** The whole process: main thread, GC helpers, thread pool. */
  readonly cpuMs: number
  /** The main thread alone. */
  readonly mainThreadCpuMs: number
}

export interface RoundStats {
  readonly throughput: number
  readonly throughput_rounds: ReadonlyArray<number>
  readonly throughput_spread: [number, number]
  readonly baseline_throughput: number
  readonly baseline_throughput_rounds: ReadonlyArray<number>
  readonly baseline_throughput_spread: [number, number]
  /** Median of the rounds' ours/baseline throughput ratios. */
  readonly throughput_ratio: number
  readonly throughput_ratio_rounds: ReadonlyArray<number>
  readonly throughput_ratio_worst: number
  readonly cpu_ms_per_message: number
  readonly cpu_ms_per_message_rounds: ReadonlyArray<number>
  readonly cpu_ms_per_message_spread: [number, number]
  readonly baseline_cpu_ms_per_message: number
  readonly baseline_cpu_ms_per_message_rounds: ReadonlyArray<number>
  readonly baseline_cpu_ms_per_message_spread: [number, number]
  /** Median of the rounds' ours/baseline CPU-per-message ratios. */
  readonly cpu_ratio: number
  readonly cpu_ratio_rounds: ReadonlyArray<number>
  readonly sqlite_throughput: number
  readonly sqlite_throughput_rounds: ReadonlyArray<number>
  readonly sqlite_throughput_spread: [number, number]
  /** Median of the rounds' sqlite/baseline throughput ratios. */
  readonly sqlite_throughput_ratio: number
  readonly sqlite_throughput_ratio_rounds: ReadonlyArray<number>
  readonly sqlite_throughput_ratio_worst: number
  readonly sqlite_cpu_ms_per_message: number
  readonly sqlite_cpu_ms_per_message_spread: [number, number]
  /** Median of the rounds' sqlite/baseline CPU-per-message ratios. */
  readonly sqlite_cpu_ratio: number
  readonly sqlite_cpu_ratio_rounds: ReadonlyArray<number>
  /** Main-thread CPU per message: what bounds throughput, since JavaScript runs on that one thread. Not a target. */
  readonly main_thread_ms_per_message: number
  readonly baseline_main_thread_ms_per_message: number
  readonly sqlite_main_thread_ms_per_message: number
  /** Median of the rounds' ours/baseline main-thread-per-message ratios. */
  readonly main_thread_ratio: number
  readonly main_thread_ratio_rounds: ReadonlyArray<number>
  readonly sqlite_main_thread_ratio: number
  /** The share of its turns' wall time the main thread was running (0 to 1), median of rounds. */
  readonly main_thread_busy: number
  readonly baseline_main_thread_busy: number
  readonly sqlite_main_thread_busy: number
}

const throughputOf = (round: RoundFigures) => round.messages / (round.elapsedMs / 1000)
const cpuPerMessageOf = (round: RoundFigures) => round.cpuMs / round.messages
const mainThreadPerMessageOf = (round: RoundFigures) => round.mainThreadCpuMs / round.messages
const mainThreadBusyOf = (round: RoundFigures) => round.mainThreadCpuMs / round.elapsedMs

const ratios = (numerators: ReadonlyArray<number>, denominators: ReadonlyArray<number>) =>
  numerators.map((value, index) => value / (denominators[index] as number))

/**
 * Each round is compared with the baseline's share of the same round, so a machine that speeds up or slows down over
 * the run moves both sides of each ratio; the verdict reads the median of those ratios, and the worst.
 */
export const summarizeRounds = (
  ours: ReadonlyArray<RoundFigures>,
  baseline: ReadonlyArray<RoundFigures>,
  sqlite: ReadonlyArray<RoundFigures>,
): RoundStats => {
  if (ours.length === 0 || ours.length !== baseline.length || ours.length !== sqlite.length)
    throw new Error(
      `every bot needs the same rounds, at least one: ${ours.length}, ${baseline.length}, ${sqlite.length}`,
    )
  const throughput = ours.map(throughputOf)
  const baselineThroughput = baseline.map(throughputOf)
  const sqliteThroughput = sqlite.map(throughputOf)
  const cpu = ours.map(cpuPerMessageOf)
  const baselineCpu = baseline.map(cpuPerMessageOf)
  const sqliteCpu = sqlite.map(cpuPerMessageOf)
  const throughputRatios = ratios(throughput, baselineThroughput)
  const sqliteRatios = ratios(sqliteThroughput, baselineThroughput)
  const cpuRatios = ratios(cpu, baselineCpu)
  const sqliteCpuRatios = ratios(sqliteCpu, baselineCpu)
  const mainThread = ours.map(mainThreadPerMessageOf)
  const baselineMainThread = baseline.map(mainThreadPerMessageOf)
  const sqliteMainThread = sqlite.map(mainThreadPerMessageOf)
  const mainThreadRatios = ratios(mainThread, baselineMainThread)
  return {
    throughput: median(throughput),
    throughput_rounds: throughput,
    throughput_spread: spread(throughput),
    baseline_throughput: median(baselineThroughput),
    baseline_throughput_rounds: baselineThroughput,
    baseline_throughput_spread: spread(baselineThroughput),
    throughput_ratio: median(throughputRatios),
    throughput_ratio_rounds: throughputRatios,
    throughput_ratio_worst: Math.min(...throughputRatios),
    cpu_ms_per_message: median(cpu),
    cpu_ms_per_message_rounds: cpu,
    cpu_ms_per_message_spread: spread(cpu),
    baseline_cpu_ms_per_message: median(baselineCpu),
    baseline_cpu_ms_per_message_rounds: baselineCpu,
    baseline_cpu_ms_per_message_spread: spread(baselineCpu),
    cpu_ratio: median(cpuRatios),
    cpu_ratio_rounds: cpuRatios,
    sqlite_throughput: median(sqliteThroughput),
    sqlite_throughput_rounds: sqliteThroughput,
    sqlite_throughput_spread: spread(sqliteThroughput),
    sqlite_throughput_ratio: median(sqliteRatios),
    sqlite_throughput_ratio_rounds: sqliteRatios,
    sqlite_throughput_ratio_worst: Math.min(...sqliteRatios),
    sqlite_cpu_ms_per_message: median(sqliteCpu),
    sqlite_cpu_ms_per_message_spread: spread(sqliteCpu),
    sqlite_cpu_ratio: median(sqliteCpuRatios),
    sqlite_cpu_ratio_rounds: sqliteCpuRatios,
    main_thread_ms_per_message: median(mainThread),
    baseline_main_thread_ms_per_message: median(baselineMainThread),
    sqlite_main_thread_ms_per_message: median(sqliteMainThread),
    main_thread_ratio: median(mainThreadRatios),
    main_thread_ratio_rounds: mainThreadRatios,
    sqlite_main_thread_ratio: median(ratios(sqliteMainThread, baselineMainThread)),
    main_thread_busy: median(ours.map(mainThreadBusyOf)),
    baseline_main_thread_busy: median(baseline.map(mainThreadBusyOf)),
    sqlite_main_thread_busy: median(sqlite.map(mainThreadBusyOf)),
  }
}
