import type { CardFigures } from "./scenarios/cards.js"
import { round } from "./stats.js"

/** The benchmark's result; printed as the last line, one JSON object. */
export interface BenchResult extends CardFigures {
  readonly profile: "full" | "smoke"
  readonly throughput: number
  readonly baseline_throughput: number
  readonly throughput_ratio: number
  /** The bot process's CPU time during the throughput run, per message. */
  readonly cpu_ms_per_message: number
  readonly baseline_cpu_ms_per_message: number
  readonly p50_ms: number
  readonly p99_ms: number
  readonly baseline_p50_ms: number
  readonly baseline_p99_ms: number
  readonly reconnect_gap_ms: number
  readonly baseline_reconnect_gap_ms: number
  readonly rss_peak_mb: number
  readonly baseline_rss_peak_mb: number
  readonly rss_after_100k_mb: number
  /** The same process right after a forced full GC: what it retains. */
  readonly rss_after_100k_gc_mb: number
  readonly memory_messages: number
  readonly download_rss_delta_mb: number
  readonly download_ms: number
  readonly download_mb: number
  readonly cold_start_ms: number
  readonly baseline_cold_start_ms: number
  readonly lost: number
  readonly duplicates: number
  readonly baseline_lost: number
  readonly baseline_duplicates: number
  /** The same bot with `store.kind: "sqlite"` (every message journalled before its ACK), in the same run. */
  readonly sqlite_throughput: number
  readonly sqlite_throughput_ratio: number
  readonly sqlite_p50_ms: number
  readonly sqlite_p99_ms: number
  readonly sqlite_lost: number
  readonly sqlite_duplicates: number
}

interface Target {
  readonly label: string
  readonly met: (result: BenchResult) => boolean
}

export const TARGETS: ReadonlyArray<Target> = [
  { label: "throughput_ratio >= 0.9", met: (r) => r.throughput_ratio >= 0.9 },
  { label: "p99_ms <= baseline_p99_ms + 2", met: (r) => r.p99_ms <= r.baseline_p99_ms + 2 },
  { label: "reconnect_gap_ms <= 1000", met: (r) => r.reconnect_gap_ms <= 1000 },
  { label: "rss_after_100k_mb <= 150", met: (r) => r.rss_after_100k_mb <= 150 },
  { label: "download_rss_delta_mb <= 16", met: (r) => r.download_rss_delta_mb <= 16 },
  { label: "cold_start_ms <= 1500", met: (r) => r.cold_start_ms <= 1500 },
  { label: "no lost or duplicated replies", met: (r) => r.lost === 0 && r.duplicates === 0 },
  { label: "sqlite_throughput_ratio >= 0.8", met: (r) => r.sqlite_throughput_ratio >= 0.8 },
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

const cell = (value: number | string) => (typeof value === "number" ? String(round(value)) : value)

export const renderTable = (r: BenchResult): string => {
  const rows: Array<[string, number | string, number | string, string]> = [
    ["throughput (replies/s)", r.throughput, r.baseline_throughput, `ratio ${round(r.throughput_ratio, 2)}`],
    ["CPU per message (ms)", r.cpu_ms_per_message, r.baseline_cpu_ms_per_message, ""],
    ["latency p50 (ms)", r.p50_ms, r.baseline_p50_ms, ""],
    ["latency p99 (ms)", r.p99_ms, r.baseline_p99_ms, ""],
    ["reconnect gap (ms)", r.reconnect_gap_ms, r.baseline_reconnect_gap_ms, ""],
    ["RSS peak, throughput run (MB)", r.rss_peak_mb, r.baseline_rss_peak_mb, ""],
    [`RSS after ${r.memory_messages} messages (MB)`, r.rss_after_100k_mb, "—", ""],
    ["  … after a forced full GC (MB)", r.rss_after_100k_gc_mb, "—", ""],
    [`download ${r.download_mb} MB: RSS delta (MB)`, r.download_rss_delta_mb, "—", ""],
    [`download ${r.download_mb} MB: time (ms)`, r.download_ms, "—", ""],
    ["cold start (ms)", r.cold_start_ms, r.baseline_cold_start_ms, ""],
    [
      "sqlite store: throughput (replies/s)",
      r.sqlite_throughput,
      r.baseline_throughput,
      `ratio ${round(r.sqlite_throughput_ratio, 2)}`,
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
    `targets (${r.profile} profile):`,
    ...targets,
  ].join("\n")
}

export const roundResult = <A extends object>(result: A): A =>
  Object.fromEntries(
    Object.entries(result).map(([key, value]) => [key, typeof value === "number" ? round(value, 2) : value]),
  ) as A
