import { describe, expect, it } from "vitest"
import { mostWithin, percentile } from "../src/stats.js"

describe("mostWithin", () => {
  it("counts the most times inside any one window, its end excluded", () => {
    expect(mostWithin([0, 300, 600, 900, 1000, 1500], 1_000)).toBe(4)
    expect(mostWithin([0, 300, 600, 900, 999], 1_000)).toBe(5)
  })

  it("reads the times in any order and is 0 without any", () => {
    expect(mostWithin([5_000, 10, 5_400, 20, 5_200], 1_000)).toBe(3)
    expect(mostWithin([], 1_000)).toBe(0)
  })
})

describe("percentile", () => {
  it("takes the nearest rank", () => {
    expect(percentile([3, 1, 2, 4], 50)).toBe(2)
    expect(percentile([3, 1, 2, 4], 99)).toBe(4)
  })
})
