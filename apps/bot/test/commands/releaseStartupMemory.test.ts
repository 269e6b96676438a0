import { getHeapSpaceStatistics } from "node:v8"
import { describe, expect, it } from "vitest"
import { releaseStartupMemory } from "../../src/commands/releaseStartupMemory.js"

const youngGenerationBytes = () =>
  getHeapSpaceStatistics().find((space) => space.space_name === "new_space")?.space_size ?? 0

describe("releaseStartupMemory", () => {
  it("shrinks the young generation that a burst of allocation grew, and keeps gc out of this context", () => {
    // Keeping some of what is allocated makes V8 grow the young generation, as a start-up does.
    let kept: Array<{ index: number; text: string }> = []
    for (let index = 0; index < 2_000_000; index += 1) {
      kept.push({ index, text: `item ${index}` })
      if (kept.length > 20_000) kept = []
    }
    const grown = youngGenerationBytes()
    expect(grown).toBeGreaterThan(2 * 1024 * 1024)

    expect(releaseStartupMemory()).toBe(true)
    expect(youngGenerationBytes()).toBeLessThan(grown)
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined()
  })
})
