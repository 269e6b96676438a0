import {
  dingtalkMarkdown,
  parseBlocks,
  prepareReply,
  shapeReply,
  splitForWire,
  titleOf,
  truncateReply,
} from "@openpollen/core"
import { describe, expect, it } from "vitest"

const MB = 1_000_000

/** Inputs that made a quadratic rule freeze the event loop: long runs of what Markdown shaping looks at. */
const adversarial: Record<string, string> = {
  "> runs": ">".repeat(MB),
  "> after text": `a${">".repeat(MB)}`,
  backticks: "`".repeat(MB),
  "backtick runs of growing length": Array.from({ length: 1_400 }, (_, index) => "`".repeat(index + 1)).join(
    "a",
  ),
  pipes: "|".repeat(MB),
  stars: "*".repeat(MB),
  "< runs": "<".repeat(MB),
  "<font without end": "<font ".repeat(MB / 6),
  "[ runs": "[".repeat(MB),
  CJK: "中文段落。".repeat(MB / 5),
  newlines: "\n".repeat(MB),
  "fence lines": "```\n".repeat(MB / 4),
  "table lines": "|a|\n".repeat(MB / 4),
}

/**
 * CPU time after one warm-up run, rather than wall time: what blocks the event loop. The least of five runs: other
 * processes and the collector only ever add time (a busy machine pushed the median of three past 5× its quiet value),
 * and a rule that is not linear is slow in every run.
 */
const leastMs = (run: () => unknown): number => {
  run()
  const times: Array<number> = []
  for (let round = 0; round < 5; round++) {
    const start = process.cpuUsage()
    run()
    const used = process.cpuUsage(start)
    times.push((used.user + used.system) / 1_000)
  }
  return Math.min(...times)
}

const sender = { id: "$:LWCP_v1:$a==", staffId: "staff-a", nick: "A" }
const group = { id: "cid", kind: "group" as const }
const rules: Record<string, (input: string) => unknown> = {
  parseBlocks,
  dingtalkMarkdown,
  titleOf,
  shapeReply: (input) => shapeReply(input, { conversation: group, sender }),
  truncateReply: (input) => truncateReply(input),
  prepareReply: (input) => prepareReply(input, { conversation: group, sender, maxReplyChars: 18_000 }),
  // The splitter sees what prepareReply leaves: capped, shaped and truncated.
  splitForWire: (input) =>
    splitForWire(prepareReply(input, { conversation: group, sender, maxReplyChars: 18_000 }).reply, "group"),
}

describe("every Markdown rule is linear", () => {
  for (const [rule, apply] of Object.entries(rules))
    for (const [name, input] of Object.entries(adversarial))
      it(`${rule} handles 1 MB of ${name} in under 100 ms`, () => {
        expect(leastMs(() => apply(input))).toBeLessThan(100)
      })
})
