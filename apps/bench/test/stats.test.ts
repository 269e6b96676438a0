import { describe, expect, it } from "vitest"
import { median, mostWithin, percentile, spread } from "../src/stats.js"

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

describe("median", () => {
  it("takes the middle sample, or the mean of the two middle ones", () => {
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBeNaN()
  })
})

describe("spread", () => {
  it("is the smallest and the largest sample", () => {
    expect(spread([3, 9, 1, 4])).toEqual([1, 9])
  })
})
