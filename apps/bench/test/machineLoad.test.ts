import { describe, expect, it } from "vitest"
import { foreignCpuShare } from "../src/machineLoad.js"

describe("foreignCpuShare", () => {
  it("is the machine's busy time minus the bench's own, over the capacity of every core", () => {
    const before = { atMs: 0, machineBusyMs: 10_000, ownMs: 4_000 }
    // 1 s on 2 cores: 2,000 ms of capacity; the machine was busy 1,500 ms, of which the bench 1,200.
    const after = { atMs: 1_000, machineBusyMs: 11_500, ownMs: 5_200 }
    expect(foreignCpuShare(before, after, 2)).toBeCloseTo(0.15)
  })

  it("stays within 0 and 1 when the tick counts disagree", () => {
    const before = { atMs: 0, machineBusyMs: 0, ownMs: 0 }
    expect(foreignCpuShare(before, { atMs: 1_000, machineBusyMs: 100, ownMs: 120 }, 2)).toBe(0)
    expect(foreignCpuShare(before, { atMs: 1_000, machineBusyMs: 5_000, ownMs: 0 }, 2)).toBe(1)
    expect(foreignCpuShare(before, before, 2)).toBe(0)
  })
})
