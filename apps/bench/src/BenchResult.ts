import type { MachineLoadFigures } from "./MachineWatch.js"
import type { RoundStats } from "./roundStats.js"
import type { CardFigures } from "./scenarios/cards.js"

/** The benchmark's result; printed as the last line, one JSON object. */
export interface BenchResult extends CardFigures, RoundStats, MachineLoadFigures {
  readonly profile: "full" | "smoke"
  /** The rounds the throughput run was split into. */
  readonly throughput_round_count: number
  readonly p50_ms: number
  /** Medians over the fixed-rate runs; each run's p99 in the `_runs` fields. */
  readonly p99_ms: number
  readonly p99_ms_runs: ReadonlyArray<number>
  readonly baseline_p50_ms: number
  readonly baseline_p99_ms: number
  readonly baseline_p99_ms_runs: ReadonlyArray<number>
  readonly reconnect_gap_ms: number
  readonly baseline_reconnect_gap_ms: number
  readonly rss_peak_mb: number
  readonly baseline_rss_peak_mb: number
  /** RSS about 2 s after the bot connected, idle (median over the cold-start launches). */
  readonly idle_rss_mb: number
  readonly idle_rss_mb_spread: [number, number]
  readonly baseline_idle_rss_mb: number
  readonly baseline_idle_rss_mb_spread: [number, number]
  readonly rss_after_100k_mb: number
  /** The same process right after a forced full GC: what it retains. */
  readonly rss_after_100k_gc_mb: number
  readonly memory_messages: number
  readonly download_rss_delta_mb: number
  readonly download_ms: number
  readonly download_mb: number
  readonly cold_start_ms: number
  readonly cold_start_ms_spread: [number, number]
  readonly baseline_cold_start_ms: number
  readonly baseline_cold_start_ms_spread: [number, number]
  readonly lost: number
  readonly duplicates: number
  readonly baseline_lost: number
  readonly baseline_duplicates: number
  /** The same bot with `store.kind: "sqlite"` (every message journalled before its ACK), in the same run. */
  readonly sqlite_p50_ms: number
  readonly sqlite_p99_ms: number
  readonly sqlite_p99_ms_runs: ReadonlyArray<number>
  readonly sqlite_lost: number
  readonly sqlite_duplicates: number
}
