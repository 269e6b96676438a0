import { describe, expect, it } from "vitest"
import { latencyOverRuns } from "../src/latencyRuns.js"

describe("latencyOverRuns", () => {
  it("takes each percentile's median over the runs and keeps every run's p99", async () => {
    const p99s: Record<string, Array<number>> = { a: [4, 40, 5], b: [9, 8, 7] }
    const figures = await latencyOverRuns(["a", "b"], 3, async (bot) => {
      const p99Ms = p99s[bot]?.shift() ?? Number.NaN
      return { p50Ms: p99Ms / 4, p99Ms }
    })
    expect(figures[0]).toEqual({ p50Ms: 1.25, p99Ms: 5, p99RunsMs: [4, 40, 5] })
    expect(figures[1]).toEqual({ p50Ms: 2, p99Ms: 8, p99RunsMs: [9, 8, 7] })
  })

  it("rotates which bot goes first from one run to the next", async () => {
    const order: Array<string> = []
    await latencyOverRuns(["a", "b", "c"], 3, async (bot) => {
      order.push(bot)
      return { p50Ms: 1, p99Ms: 1 }
    })
    expect(order).toEqual(["a", "b", "c", "b", "c", "a", "c", "a", "b"])
  })
})
