import { describe, expect, it } from "vitest"
import { axisMaximum, type ChartData, PLOT_HEIGHT, renderChart } from "../src/chart.js"

const data: ChartData = {
  profile: "full",
  throughput_rounds: [2_000, 1_000, 1_500],
  baseline_throughput_rounds: [2_500, 2_200, 1_800],
  sqlite_throughput_rounds: [1_600, 800, 1_200],
  p99_ms: 5,
  baseline_p99_ms: 10,
  sqlite_p99_ms: 12.5,
}

interface Bar {
  readonly panel: string
  readonly group: string
  readonly series: string
  readonly value: number
  readonly y: number
  readonly height: number
}

const bars = (svg: string): ReadonlyArray<Bar> =>
  [
    ...svg.matchAll(
      /<rect class="bar" data-panel="([^"]*)" data-group="([^"]*)" data-series="([^"]*)" data-value="([^"]*)" x="[^"]*" y="([^"]*)" width="[^"]*" height="([^"]*)"/g,
    ),
  ].map(([, panel, group, series, value, y, height]) => ({
    panel: panel as string,
    group: group as string,
    series: series as string,
    value: Number(value),
    y: Number(y),
    height: Number(height),
  }))

const heightOf = (all: ReadonlyArray<Bar>, group: string, series: string) =>
  all.find((bar) => bar.group === group && bar.series === series)?.height ?? Number.NaN

describe("renderChart", () => {
  const svg = renderChart(data)
  const all = bars(svg)

  it("is one standalone SVG document", () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true)
  })

  it("draws one bar per bot per round, and one p99 bar per bot", () => {
    expect(all.filter((bar) => bar.panel.startsWith("throughput"))).toHaveLength(9)
    expect(all.filter((bar) => bar.panel.startsWith("p99"))).toHaveLength(3)
    expect(all.filter((bar) => bar.group === "round 2").map((bar) => [bar.series, bar.value])).toEqual([
      ["openpollen", 1_000],
      ["baseline SDK bot", 2_200],
      ["openpollen, SQLite store", 800],
    ])
  })

  it("scales the throughput bars with their values, on an axis ending at a round number above the largest", () => {
    // The largest is 2,500, and the axis ends at 2,500: that bar fills the plot.
    expect(heightOf(all, "round 1", "baseline SDK bot")).toBeCloseTo(PLOT_HEIGHT)
    expect(heightOf(all, "round 1", "openpollen")).toBeCloseTo((PLOT_HEIGHT * 2_000) / 2_500)
    expect(heightOf(all, "round 2", "openpollen") * 2).toBeCloseTo(heightOf(all, "round 1", "openpollen"))
    // Every bar stands on the same baseline.
    expect(new Set(all.map((bar) => Math.round((bar.y + bar.height) * 100)))).toHaveProperty("size", 1)
  })

  it("writes each round's ratio of our throughput to the baseline's above the round", () => {
    expect([...svg.matchAll(/>ratio ([\d.]+)</g)].map(([, ratio]) => Number(ratio))).toEqual([
      0.8, 0.45, 0.83,
    ])
  })

  it("scales the p99 bars on their own axis", () => {
    // The largest p99 is 12.5; the axis ends at 20.
    expect(heightOf(all, "fixed rate", "openpollen")).toBeCloseTo((PLOT_HEIGHT * 5) / 20)
    expect(heightOf(all, "fixed rate", "baseline SDK bot")).toBeCloseTo((PLOT_HEIGHT * 10) / 20)
  })

  it("follows the data: doubling one round's throughput doubles its bar", () => {
    const doubled = bars(renderChart({ ...data, throughput_rounds: [2_000, 2_000, 1_500] }))
    expect(heightOf(doubled, "round 2", "openpollen")).toBeCloseTo(2 * heightOf(all, "round 2", "openpollen"))
  })

  it("draws a missing or non-finite value as an empty bar", () => {
    const gaps = bars(renderChart({ ...data, p99_ms: Number.NaN, sqlite_throughput_rounds: [1_600] }))
    expect(heightOf(gaps, "fixed rate", "openpollen")).toBe(0)
    expect(heightOf(gaps, "round 3", "openpollen, SQLite store")).toBe(0)
  })
})

describe("axisMaximum", () => {
  it("rounds up to 1, 2, 2.5 or 5 times a power of ten", () => {
    expect([
      axisMaximum(2_500),
      axisMaximum(2_501),
      axisMaximum(12.5),
      axisMaximum(0.7),
      axisMaximum(0),
    ]).toEqual([2_500, 5_000, 20, 1, 1])
  })
})
