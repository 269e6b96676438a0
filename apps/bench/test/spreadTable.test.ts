import { describe, expect, it } from "vitest"
import { renderSpreadTable } from "../src/spreadTable.js"

describe("renderSpreadTable", () => {
  it("shows each figure round by round with its spread", () => {
    const table = renderSpreadTable({
      throughput_rounds: [2_000.4, 1_900],
      baseline_throughput_rounds: [2_200, 2_100],
      throughput_ratio_rounds: [0.909, 0.905],
      cpu_ratio_rounds: [1.08, 1.12],
      sqlite_throughput_ratio_rounds: [0.8, 0.82],
      machine_foreign_cpu_share_rounds: [0.021, 0.034],
    })
    expect(table.split("\n")).toEqual([
      "|  | round 1 | round 2 | min–max |",
      "| --- | --- | --- | --- |",
      "| throughput, openpollen (replies/s) | 2000 | 1900 | 1900–2000 |",
      "| throughput, baseline (replies/s) | 2200 | 2100 | 2100–2200 |",
      "| `throughput_ratio` | 0.91 | 0.91 | 0.91–0.91 |",
      "| `cpu_ratio` | 1.08 | 1.12 | 1.08–1.12 |",
      "| `sqlite_throughput_ratio` | 0.8 | 0.82 | 0.8–0.82 |",
      "| other processes' CPU share (%) | 2.1 | 3.4 | 2.1–3.4 |",
    ])
  })
})
