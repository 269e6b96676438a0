import type { LatencyResult } from "./scenarios/latency.js"
import { median } from "./stats.js"

export interface LatencyFigures {
  readonly p50Ms: number
  readonly p99Ms: number
  /** Each run's p99, in run order. */
  readonly p99RunsMs: ReadonlyArray<number>
}

/**
 * The fixed-rate run repeated `runs` times per bot, rotating which bot goes first, with the median of each percentile:
 * one run's p99 is the 20th-slowest of 2,000 answers, and a single collector pause or scheduler hiccup moves it by
 * several times.
 */
export const latencyOverRuns = async <C>(
  contenders: ReadonlyArray<C>,
  runs: number,
  measure: (contender: C) => Promise<LatencyResult>,
): Promise<ReadonlyArray<LatencyFigures>> => {
  const samples: Array<Array<LatencyResult>> = contenders.map(() => [])
  for (let run = 0; run < runs; run++)
    for (let step = 0; step < contenders.length; step++) {
      const index = (run + step) % contenders.length
      samples[index]?.push(await measure(contenders[index] as C))
    }
  return samples.map((results) => ({
    p50Ms: median(results.map((result) => result.p50Ms)),
    p99Ms: median(results.map((result) => result.p99Ms)),
    p99RunsMs: results.map((result) => result.p99Ms),
  }))
}
