import { describe, expect, it } from "vitest"
import type { BenchResult } from "../src/BenchResult.js"
import { renderTable, TARGETS } from "../src/report.js"
import { EXIT_CODE, tooBusy, verdictOf } from "../src/verdict.js"
import { quietMachine, quietRun } from "./fixtures/quietRun.js"

const run = (changes: Partial<BenchResult>): BenchResult => ({ ...quietRun, ...changes })
const missed = (result: BenchResult) => {
  const verdict = verdictOf(result, TARGETS)
  return verdict.kind === "missed" ? verdict.missed : []
}

describe("the targets", () => {
  it("are all met by a run within every limit", () => {
    expect(verdictOf(quietRun, TARGETS)).toEqual({ kind: "met" })
  })

  it("hold the median throughput ratio and the worst round separately", () => {
    expect(missed(run({ throughput_ratio: 0.89 }))).toEqual(["throughput_ratio (median of rounds) >= 0.9"])
    expect(missed(run({ throughput_ratio_worst: 0.84 }))).toEqual([
      "throughput_ratio_worst (worst round) >= 0.85",
    ])
  })

  it("hold CPU per message against the baseline's, idle RSS, RSS after 100k and cold start against the baseline's", () => {
    expect(missed(run({ cpu_ratio: 1.11 }))).toEqual(["cpu_ratio (CPU per message, median of rounds) <= 1.1"])
    expect(missed(run({ cpu_ratio: 1.1 }))).toEqual([])
    expect(missed(run({ idle_rss_mb: 88.1 }))).toEqual(["idle_rss_mb <= baseline_idle_rss_mb"])
    expect(missed(run({ rss_after_100k_mb: 131 }))).toEqual(["rss_after_100k_mb <= 130"])
    expect(missed(run({ cold_start_ms: 376, baseline_cold_start_ms: 250 }))).toEqual([
      "cold_start_ms <= 1.5 x baseline_cold_start_ms",
    ])
    expect(missed(run({ cold_start_ms: 375, baseline_cold_start_ms: 250 }))).toEqual([])
  })

  it("keep the latency, exactly-once and SQLite targets", () => {
    expect(missed(run({ p99_ms: 7.1, baseline_p99_ms: 5 }))).toEqual(["p99_ms <= baseline_p99_ms + 2"])
    expect(missed(run({ duplicates: 1 }))).toEqual(["no lost or duplicated replies"])
    expect(missed(run({ sqlite_throughput_ratio: 0.79 }))).toEqual([
      "sqlite_throughput_ratio (median of rounds) >= 0.8",
    ])
  })
})

describe("the load rule", () => {
  it("finds nothing wrong with a quiet machine", () => {
    expect(tooBusy(quietMachine)).toEqual([])
  })

  it("refuses when the load average before the run exceeds half the cores", () => {
    expect(tooBusy({ ...quietMachine, machine_load_before: 1.0 })).toEqual([])
    expect(tooBusy({ ...quietMachine, machine_load_before: 1.01 })).toEqual([
      "load average 1.01 before the run (limit 1 on 2 cores)",
    ])
  })

  it("refuses when other processes took more than 15% of the CPU in a watched phase, or 25% in one round", () => {
    const byPhase = { cold_start: 0.01, throughput: 0.16, latency: 0.2 }
    expect(tooBusy({ ...quietMachine, machine_foreign_cpu_share_by_phase: byPhase })).toEqual([
      "other processes used 16% of the CPU during throughput (limit 15%)",
      "other processes used 20% of the CPU during latency (limit 15%)",
    ])
    const rounds = [0.01, 0.3, 0.25, 0.02, 0.02, 0.02]
    expect(tooBusy({ ...quietMachine, machine_foreign_cpu_share_rounds: rounds })).toEqual([
      "other processes used 30% of the CPU in throughput round 2 (limit 25%)",
    ])
  })

  it("refuses the verdict even when every target is met, and even when some are missed", () => {
    const busy = { machine_load_before: 3 }
    expect(verdictOf(run(busy), TARGETS).kind).toBe("refused")
    expect(verdictOf(run({ ...busy, throughput_ratio: 0.5 }), TARGETS).kind).toBe("refused")
  })

  it("gives each verdict its own exit code", () => {
    expect(new Set(Object.values(EXIT_CODE)).size).toBe(4)
    expect(EXIT_CODE.met).toBe(0)
    expect(EXIT_CODE.refused).not.toBe(EXIT_CODE.missed)
  })
})

describe("renderTable", () => {
  it("marks each target met or missed and states the verdict", () => {
    const result = run({ cpu_ratio: 1.3 })
    const table = renderTable(result, verdictOf(result, TARGETS), true)
    expect(table).toContain("MISSED  cpu_ratio (CPU per message, median of rounds) <= 1.1")
    expect(table).toContain("met     throughput_ratio (median of rounds) >= 0.9")
    expect(table).toContain("verdict: 1 target(s) missed")
  })

  it("shows CPU per message to the microsecond, as the JSON has it", () => {
    const result = run({
      cpu_ms_per_message: 0.375,
      baseline_cpu_ms_per_message: 0.362,
      main_thread_ms_per_message: 0.34,
      baseline_main_thread_ms_per_message: 0.279,
    })
    const table = renderTable(result, verdictOf(result, TARGETS), true)
    expect(table).toMatch(/CPU per message \(ms\), median of rounds +0\.375 +0\.362 +ratio/)
    expect(table).toMatch(/main thread alone \(ms\), median of rounds +0\.34 +0\.279 +ratio/)
  })

  it("says when the verdict is not enforced (the smoke profile)", () => {
    const result = run({ profile: "smoke", cpu_ratio: 1.3 })
    const table = renderTable(result, verdictOf(result, TARGETS), false)
    expect(table).toContain("targets (smoke profile, not enforced")
    expect(table).toContain("not enforced; would be: verdict: 1 target(s) missed")
  })

  it("says why a verdict was refused and what to do", () => {
    const result = run({ machine_load_before: 3 })
    const table = renderTable(result, verdictOf(result, TARGETS), true)
    expect(table).toContain("machine too busy to measure: load average 3 before the run")
    expect(table).toContain("re-run on a quiet machine")
  })
})
