import { describe, expect, it } from "vitest"
import { type RoundFigures, summarizeRounds } from "../src/roundStats.js"

const hundredths = (values: ReadonlyArray<number>) => values.map((value) => Math.round(value * 100) / 100)

const round = (
  messages: number,
  elapsedMs: number,
  cpuMs: number,
  mainThreadCpuMs = cpuMs,
): RoundFigures => ({
  messages,
  elapsedMs,
  cpuMs,
  mainThreadCpuMs,
})

describe("summarizeRounds", () => {
  // Five rounds; the machine slows down in round 3 for both bots, and ours has one bad round (5).
  const ours = [
    round(1_000, 500, 500),
    round(1_000, 500, 500),
    round(1_000, 1_000, 500),
    round(1_000, 500, 600),
    round(1_000, 625, 500),
  ]
  const baseline = [
    round(1_000, 450, 400),
    round(1_000, 500, 400),
    round(1_000, 1_000, 400),
    round(1_000, 400, 400),
    round(1_000, 500, 500),
  ]
  const sqlite = [
    round(1_000, 900, 700),
    round(1_000, 1_000, 700),
    round(1_000, 2_000, 700),
    round(1_000, 800, 700),
    round(1_000, 500, 700),
  ]
  const stats = summarizeRounds(ours, baseline, sqlite)

  it("compares each round with the baseline's share of the same round, and reports every ratio", () => {
    expect(stats.throughput_rounds).toEqual([2_000, 2_000, 1_000, 2_000, 1_600])
    expect(stats.baseline_throughput_rounds.map(Math.round)).toEqual([2_222, 2_000, 1_000, 2_500, 2_000])
    expect(hundredths(stats.throughput_ratio_rounds)).toEqual([0.9, 1, 1, 0.8, 0.8])
    expect(stats.throughput_ratio_worst).toBe(0.8)
  })

  it("reads the verdict's figures as medians of the rounds, not as a ratio of totals", () => {
    expect(stats.throughput_ratio).toBe(0.9)
    expect(stats.throughput).toBe(2_000)
    expect(stats.cpu_ms_per_message).toBe(0.5)
    expect(stats.baseline_cpu_ms_per_message).toBe(0.4)
    expect(hundredths(stats.cpu_ratio_rounds)).toEqual([1.25, 1.25, 1.25, 1.5, 1])
    expect(stats.cpu_ratio).toBe(1.25)
  })

  it("reports the spread of each figure over its rounds", () => {
    expect(stats.throughput_spread).toEqual([1_000, 2_000])
    expect(stats.cpu_ms_per_message_spread).toEqual([0.5, 0.6])
    expect(stats.baseline_cpu_ms_per_message_spread).toEqual([0.4, 0.5])
  })

  it("gives the SQLite bot the same per-round ratios against the baseline", () => {
    expect(hundredths(stats.sqlite_throughput_ratio_rounds)).toEqual([0.5, 0.5, 0.5, 0.5, 1])
    expect(stats.sqlite_throughput_ratio).toBe(0.5)
    expect(stats.sqlite_throughput_ratio_worst).toBe(0.5)
    expect(stats.sqlite_cpu_ms_per_message).toBe(0.7)
    expect(hundredths(stats.sqlite_cpu_ratio_rounds)).toEqual([1.75, 1.75, 1.75, 1.75, 1.4])
    expect(stats.sqlite_cpu_ratio).toBeCloseTo(1.75)
  })

  it("reports the main thread apart from the whole process: it is what bounds a bot's throughput", () => {
    // The baseline's GC helpers take 100 ms of its 400 in every round; ours run 450 of 500 on the main thread.
    const main = summarizeRounds(
      ours.map((r) => ({ ...r, mainThreadCpuMs: r.cpuMs - 50 })),
      baseline.map((r) => ({ ...r, mainThreadCpuMs: r.cpuMs - 100 })),
      sqlite,
    )
    expect(main.cpu_ratio).toBe(1.25)
    expect(main.main_thread_ms_per_message).toBe(0.45)
    expect(main.baseline_main_thread_ms_per_message).toBe(0.3)
    expect(hundredths(main.main_thread_ratio_rounds)).toEqual([1.5, 1.5, 1.5, 1.83, 1.13])
    expect(main.main_thread_ratio).toBe(1.5)
    expect(main.sqlite_main_thread_ratio).toBeCloseTo(2.33, 2)
    // Busy share: main-thread time over the turns' wall time, median of rounds.
    expect(main.main_thread_busy).toBe(0.9)
    expect(main.baseline_main_thread_busy).toBeCloseTo(0.667, 3)
    expect(main.sqlite_main_thread_busy).toBeCloseTo(0.778, 3)
  })

  it("refuses rounds that do not pair up", () => {
    expect(() => summarizeRounds(ours, baseline.slice(1), sqlite)).toThrow(/same rounds/)
    expect(() => summarizeRounds([], [], [])).toThrow(/at least one/)
  })
})
