import { describe, expect, it } from "vitest"
import { roundSchedule, splitEvenly } from "../src/roundSchedule.js"

describe("roundSchedule", () => {
  it("runs every contender once per turn, each first as often as the others over the turns", () => {
    const turns = roundSchedule(0, 6, 3)
    expect(turns).toHaveLength(6)
    for (const turn of turns) expect([...turn].sort()).toEqual([0, 1, 2])
    const firsts = turns.map((turn) => turn[0])
    expect([0, 1, 2].map((index) => firsts.filter((first) => first === index).length)).toEqual([2, 2, 2])
  })

  it("starts each round with the next contender, and keeps one turn for a single slice", () => {
    expect(roundSchedule(0, 1, 2)).toEqual([[0, 1]])
    expect(roundSchedule(1, 1, 2)).toEqual([[1, 0]])
    expect(roundSchedule(1, 2, 3)).toEqual([
      [1, 2, 0],
      [2, 0, 1],
    ])
    expect(roundSchedule(0, 0, 2)).toEqual([[0, 1]])
  })
})

describe("splitEvenly", () => {
  it("splits into whole parts that add up and differ by at most one", () => {
    expect(splitEvenly(10_000, 4)).toEqual([2_500, 2_500, 2_500, 2_500])
    const uneven = splitEvenly(1_001, 3)
    expect(uneven.reduce((sum, part) => sum + part, 0)).toBe(1_001)
    expect(Math.max(...uneven) - Math.min(...uneven)).toBeLessThanOrEqual(1)
    expect(splitEvenly(5, 0)).toEqual([5])
  })
})
