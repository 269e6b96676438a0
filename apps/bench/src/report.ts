import type { BenchResult } from "./BenchResult.js"
import { round } from "./stats.js"
import { describeVerdict, type Target, type Verdict } from "./verdict.js"

export const TARGETS: ReadonlyArray<Target<BenchResult>> = [
  { label: "throughput_ratio (median of rounds) >= 0.9", met: (r) => r.throughput_ratio >= 0.9 },
  { label: "throughput_ratio_worst (worst round) >= 0.85", met: (r) => r.throughput_ratio_worst >= 0.85 },
  { label: "cpu_ratio (CPU per message, median of rounds) <= 1.1", met: (r) => r.cpu_ratio <= 1.1 },
  { label: "p99_ms <= baseline_p99_ms + 2", met: (r) => r.p99_ms <= r.baseline_p99_ms + 2 },
  { label: "reconnect_gap_ms <= 1000", met: (r) => r.reconnect_gap_ms <= 1000 },
  { label: "rss_after_100k_mb <= 130", met: (r) => r.rss_after_100k_mb <= 130 },
  { label: "idle_rss_mb <= baseline_idle_rss_mb", met: (r) => r.idle_rss_mb <= r.baseline_idle_rss_mb },
  { label: "download_rss_delta_mb <= 16", met: (r) => r.download_rss_delta_mb <= 16 },
  {
    label: "cold_start_ms <= 1.5 x baseline_cold_start_ms",
    met: (r) => r.cold_start_ms <= 1.5 * r.baseline_cold_start_ms,
  },
  { label: "no lost or duplicated replies", met: (r) => r.lost === 0 && r.duplicates === 0 },
  {
    label: "sqlite_throughput_ratio (median of rounds) >= 0.8",
    met: (r) => r.sqlite_throughput_ratio >= 0.8,
  },
  { label: "sqlite_p99_ms <= baseline_p99_ms + 5", met: (r) => r.sqlite_p99_ms <= r.baseline_p99_ms + 5 },
  {
    label: "sqlite: no lost or duplicated replies",
    met: (r) => r.sqlite_lost === 0 && r.sqlite_duplicates === 0,
  },
  { label: "card_create_ms_p99 < 2000 (before the first token)", met: (r) => r.card_create_ms_p99 < 2000 },
  {
    label: "card storm: every card finalized with the complete text",
    met: (r) => r.card_storm_finalized_complete === r.card_storm_conversations,
  },
  {
    label: "card storm: no lost or doubled replies, no unhandled QpsLimit",
    met: (r) =>
      r.card_storm_lost === 0 && r.card_storm_doubled === 0 && r.card_storm_unhandled_qpslimit === 0,
  },
]

/** A number cell shows one decimal; a figure that needs more is passed as text (`ms3`). */
const cell = (value: number | string) => (typeof value === "number" ? String(round(value)) : value)
/** CPU times per message are a few tenths of a millisecond: shown to the microsecond. */
const ms3 = (value: number) => String(round(value, 3))
const range = ([low, high]: readonly [number, number], digits = 1) =>
  `${round(low, digits)}–${round(high, digits)}`
const ratios = (values: ReadonlyArray<number>) => values.map((value) => round(value, 2)).join(" ")

export const renderTable = (r: BenchResult, verdict: Verdict, enforced: boolean): string => {
  const rows: Array<[string, number | string, number | string, string]> = [
    [
      `throughput (replies/s), median of ${r.throughput_round_count} rounds`,
      r.throughput,
      r.baseline_throughput,
      `ratio ${round(r.throughput_ratio, 2)}, worst ${round(r.throughput_ratio_worst, 2)}`,
    ],
    [
      "  … spread over the rounds",
      range(r.throughput_spread, 0),
      range(r.baseline_throughput_spread, 0),
      `ratios ${ratios(r.throughput_ratio_rounds)}`,
    ],
    [
      "CPU per message (ms), median of rounds",
      ms3(r.cpu_ms_per_message),
      ms3(r.baseline_cpu_ms_per_message),
      `ratio ${round(r.cpu_ratio, 2)}`,
    ],
    [
      "  … spread over the rounds",
      range(r.cpu_ms_per_message_spread, 3),
      range(r.baseline_cpu_ms_per_message_spread, 3),
      `ratios ${ratios(r.cpu_ratio_rounds)}`,
    ],
    [
      "  … main thread alone (ms), median of rounds",
      ms3(r.main_thread_ms_per_message),
      ms3(r.baseline_main_thread_ms_per_message),
      `ratio ${round(r.main_thread_ratio, 2)}; busy ${round(r.main_thread_busy, 2)} / ${round(r.baseline_main_thread_busy, 2)}`,
    ],
    ["latency p50 (ms)", r.p50_ms, r.baseline_p50_ms, ""],
    ["latency p99 (ms)", r.p99_ms, r.baseline_p99_ms, ""],
    ["reconnect gap (ms)", r.reconnect_gap_ms, r.baseline_reconnect_gap_ms, ""],
    ["RSS peak, throughput run (MB)", r.rss_peak_mb, r.baseline_rss_peak_mb, ""],
    [`RSS after ${r.memory_messages} messages (MB)`, r.rss_after_100k_mb, "—", ""],
    ["  … after a forced full GC (MB)", r.rss_after_100k_gc_mb, "—", ""],
    [`download ${r.download_mb} MB: RSS delta (MB)`, r.download_rss_delta_mb, "—", ""],
    [`download ${r.download_mb} MB: time (ms)`, r.download_ms, "—", ""],
    [
      "cold start (ms)",
      r.cold_start_ms,
      r.baseline_cold_start_ms,
      `${round(r.cold_start_ms / r.baseline_cold_start_ms, 2)}×; spread ${range(r.cold_start_ms_spread, 0)} / ${range(r.baseline_cold_start_ms_spread, 0)}`,
    ],
    [
      "idle RSS, 2 s after connecting (MB)",
      r.idle_rss_mb,
      r.baseline_idle_rss_mb,
      `spread ${range(r.idle_rss_mb_spread)} / ${range(r.baseline_idle_rss_mb_spread)}`,
    ],
    [
      "sqlite store: throughput (replies/s)",
      r.sqlite_throughput,
      r.baseline_throughput,
      `ratio ${round(r.sqlite_throughput_ratio, 2)}, rounds ${ratios(r.sqlite_throughput_ratio_rounds)}`,
    ],
    [
      "sqlite store: CPU per message (ms)",
      ms3(r.sqlite_cpu_ms_per_message),
      ms3(r.baseline_cpu_ms_per_message),
      `ratio ${round(r.sqlite_cpu_ratio, 2)}, rounds ${ratios(r.sqlite_cpu_ratio_rounds)}`,
    ],
    [
      "sqlite store: main thread per message (ms)",
      ms3(r.sqlite_main_thread_ms_per_message),
      ms3(r.baseline_main_thread_ms_per_message),
      `ratio ${round(r.sqlite_main_thread_ratio, 2)}; busy ${round(r.sqlite_main_thread_busy, 2)} / ${round(r.baseline_main_thread_busy, 2)}`,
    ],
    [
      "sqlite store: latency p50 / p99 (ms)",
      `${round(r.sqlite_p50_ms)} / ${round(r.sqlite_p99_ms)}`,
      `${round(r.baseline_p50_ms)} / ${round(r.baseline_p99_ms)}`,
      "",
    ],
    [
      "AI card: created p50 / p99 (ms)",
      `${round(r.card_create_ms_p50)} / ${round(r.card_create_ms_p99)}`,
      "—",
      "agent's first token at 2000",
    ],
    ["AI card: last token → final update p99 (ms)", r.card_final_lag_ms_p99, "—", ""],
    [
      "complete answer p50 / p99 (ms)",
      `card ${round(r.card_reply_ms_p50)} / ${round(r.card_reply_ms_p99)}`,
      "—",
      `markdown ${round(r.markdown_reply_ms_p50)} / ${round(r.markdown_reply_ms_p99)}`,
    ],
    ["AI card: most updates in 1 s, one card", r.card_updates_per_s_max, "—", ""],
    [
      `card storm: ${r.card_storm_conversations} at once, org ${r.card_storm_org_qps}/s: complete / cards`,
      `${r.card_storm_finalized_complete} / ${r.card_storm_cards}`,
      "—",
      `${r.card_storm_qpslimit_403s} QpsLimit 403s, ${round(r.card_storm_ms)} ms`,
    ],
    [
      "card storm: lost / doubled / unhandled QpsLimit",
      `${r.card_storm_lost} / ${r.card_storm_doubled} / ${r.card_storm_unhandled_qpslimit}`,
      "—",
      "",
    ],
    [
      "lost / duplicated replies",
      `${r.lost} / ${r.duplicates}`,
      `${r.baseline_lost} / ${r.baseline_duplicates}`,
      "",
    ],
    [
      `machine: ${r.cores} cores, load average before / highest`,
      `${round(r.machine_load_before, 2)} / ${round(r.machine_load_max, 2)}`,
      "—",
      "",
    ],
    [
      "machine: other processes' CPU share, throughput",
      `${round(r.machine_foreign_cpu_share * 100)}%`,
      "—",
      `worst round ${round(r.machine_foreign_cpu_share_max * 100)}%, latency ${round(r.machine_foreign_cpu_share_by_phase.latency * 100)}%, cold start ${round(r.machine_foreign_cpu_share_by_phase.cold_start * 100)}%`,
    ],
  ]
  const header: [string, string, string, string] = ["metric", "openpollen", "baseline SDK bot", ""]
  const text = [header, ...rows].map((row) => row.map(cell))
  const widths = header.map((_, column) => Math.max(...text.map((row) => (row[column] ?? "").length)))
  const line = (row: ReadonlyArray<string>) =>
    row
      .map((value, column) => value.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd()
  const targets = TARGETS.map((target) => `${target.met(r) ? "met   " : "MISSED"}  ${target.label}`)
  return [
    line(text[0] ?? []),
    ...text.slice(1).map(line),
    "",
    `targets (${r.profile} profile${enforced ? "" : ", not enforced: it proves the bench works, not how fast anything is"}):`,
    ...targets,
    "",
    enforced ? describeVerdict(verdict) : `not enforced; would be: ${describeVerdict(verdict)}`,
  ].join("\n")
}

const roundDeep = (value: unknown): unknown => {
  if (typeof value === "number") return round(value, Math.abs(value) < 1 ? 3 : 2)
  if (Array.isArray(value)) return value.map(roundDeep)
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, roundDeep(inner)]))
  return value
}

/** Every number in the result, however deep, to 2 decimals (3 below 1, for the ratios and shares). */
export const roundResult = <A extends object>(result: A): A => roundDeep(result) as A
