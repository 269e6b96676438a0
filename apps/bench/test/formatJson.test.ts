import { describe, expect, it } from "vitest"
import { formatJson } from "../src/formatJson.js"

describe("formatJson", () => {
  it("lays out one key a line with short arrays and objects inline, and reads back the same", () => {
    const value = { profile: "full", rounds: [0.91, 0.93], spread: [], phases: { a: 1, b: null }, none: {} }
    const text = formatJson(value)
    expect(text).toBe(
      [
        "{",
        '  "profile": "full",',
        '  "rounds": [0.91, 0.93],',
        '  "spread": [],',
        '  "phases": { "a": 1, "b": null },',
        '  "none": {}',
        "}",
        "",
      ].join("\n"),
    )
    expect(JSON.parse(text)).toEqual(value)
  })

  it("opens a nested object over lines when it does not fit in 110 characters", () => {
    const phases = Object.fromEntries(Array.from({ length: 8 }, (_, index) => [`phase_${index}`, 0.123]))
    const text = formatJson({ by_phase: phases, verdict: "met" })
    expect(text.split("\n").slice(0, 3)).toEqual(["{", '  "by_phase": {', '    "phase_0": 0.123,'])
    expect(text).toContain('    "phase_7": 0.123\n  },\n  "verdict": "met"\n}')
    expect(Math.max(...text.split("\n").map((line) => line.length))).toBeLessThanOrEqual(110)
    expect(JSON.parse(text)).toEqual({ by_phase: phases, verdict: "met" })
  })
})
