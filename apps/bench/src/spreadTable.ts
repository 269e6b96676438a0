import type { BenchResult } from "./BenchResult.js"
import { round } from "./stats.js"

type Rounds = Pick<
  BenchResult,
  | "throughput_ratio_rounds"
  | "cpu_ratio_rounds"
  | "sqlite_throughput_ratio_rounds"
  | "throughput_rounds"
  | "baseline_throughput_rounds"
  | "machine_foreign_cpu_share_rounds"
>

const ROWS: ReadonlyArray<readonly [string, (r: Rounds) => ReadonlyArray<number>, number]> = [
  ["throughput, openpollen (replies/s)", (r) => r.throughput_rounds, 0],
  ["throughput, baseline (replies/s)", (r) => r.baseline_throughput_rounds, 0],
  ["`throughput_ratio`", (r) => r.throughput_ratio_rounds, 2],
  ["`cpu_ratio`", (r) => r.cpu_ratio_rounds, 2],
  ["`sqlite_throughput_ratio`", (r) => r.sqlite_throughput_ratio_rounds, 2],
  [
    "other processes' CPU share (%)",
    (r) => r.machine_foreign_cpu_share_rounds.map((share) => share * 100),
    1,
  ],
]

/** A Markdown table of a run's figures round by round, with each row's spread (min–max). */
export const renderSpreadTable = (result: Rounds): string => {
  const count = result.throughput_ratio_rounds.length
  const header = ["", ...Array.from({ length: count }, (_, index) => `round ${index + 1}`), "min–max"]
  const body = ROWS.map(([label, read, digits]) => {
    const values = read(result)
    const cells = values.map((value) => String(round(value, digits)))
    const spread = `${round(Math.min(...values), digits)}–${round(Math.max(...values), digits)}`
    return [label, ...cells, spread]
  })
  return [header, header.map(() => "---"), ...body].map((row) => `| ${row.join(" | ")} |`).join("\n")
}
