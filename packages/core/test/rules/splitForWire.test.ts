import {
  chunkMarkdown,
  type OutboundReply,
  openFenceAt,
  splitForWire,
  type WireRoute,
  wireLimit,
  wireSize,
} from "@openpollen/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { markdownText } from "./arbitraries.js"

const reply = (markdown: string, atUserIds: ReadonlyArray<string> = []): OutboundReply => ({
  title: "标题",
  markdown,
  atUserIds,
})
const routes: ReadonlyArray<WireRoute> = ["webhook", "group", "users"]

describe("splitForWire", () => {
  it("keeps 18,000 ASCII characters in one webhook message", () => {
    const parts = splitForWire(reply("a".repeat(18_000)), "webhook")
    expect(parts).toHaveLength(1)
    expect(parts[0]?.title).toBe("标题")
  })

  it("splits 18,000 Chinese characters into numbered messages that each fit 20,000 bytes", () => {
    const text = "这是一段很长的中文回复。".repeat(1_500)
    const parts = splitForWire(reply(text, ["staff-1"]), "webhook")
    expect(parts.length).toBeGreaterThanOrEqual(3)
    parts.forEach((part, index) => {
      expect(wireSize("webhook", part)).toBeLessThanOrEqual(20_000)
      expect(part.title).toBe(`标题 (${index + 1}/${parts.length})`)
    })
    expect(parts.map((part) => part.text.replace("\n\n@staff-1", "")).join("")).toBe(text)
  })

  it("puts the @-mention text and atUserIds on the last part only", () => {
    const parts = splitForWire(reply("段落。\n\n".repeat(4_000), ["staff-1"]), "webhook")
    expect(parts.length).toBeGreaterThan(1)
    expect(parts.at(-1)?.atUserIds).toEqual(["staff-1"])
    expect(parts.at(-1)?.text.endsWith("@staff-1")).toBe(true)
    for (const part of parts.slice(0, -1)) {
      expect(part.atUserIds).toEqual([])
      expect(part.text).not.toContain("@staff-1")
    }
    expect(splitForWire(reply("短", ["staff-1"]), "webhook")).toEqual([
      { title: "标题", text: "短\n\n@staff-1", atUserIds: ["staff-1"] },
    ])
  })

  it("prefers paragraph boundaries", () => {
    const paragraph = `${"字".repeat(2_000)}\n\n`
    const parts = splitForWire(reply(paragraph.repeat(6)), "webhook")
    for (const part of parts.slice(0, -1)) expect(part.text.endsWith("\n\n")).toBe(true)
  })

  it("closes a code fence at a cut and reopens it with its info string", () => {
    const code = `\`\`\`python\n${"print('你好，世界')\n".repeat(2_000)}\`\`\`\n`
    const parts = splitForWire(reply(`前言\n\n${code}后记`), "webhook")
    expect(parts.length).toBeGreaterThan(1)
    for (const part of parts) expect(openFenceAt(part.text)).toBeUndefined()
    for (const part of parts.slice(1, -1)) expect(part.text.startsWith("```python\n")).toBe(true)
  })

  it("still fits when a long fence info string is reopened in every part", () => {
    const opening = `\`\`\`ts ${'title="很长的文件名" '.repeat(20)}`
    const code = `${opening}\n${"const 值 = 1\n".repeat(5_000)}\`\`\`\n`
    for (const route of routes) {
      const parts = splitForWire(reply(code), route)
      expect(parts.length).toBeGreaterThan(1)
      for (const part of parts) {
        expect(wireSize(route, part)).toBeLessThanOrEqual(wireLimit(route) - 64)
        expect(part.text.startsWith(`${opening}\n`)).toBe(true)
      }
    }
  })

  it("fits the tighter Open API budgets", () => {
    const text = "中".repeat(6_000)
    for (const route of routes) {
      for (const part of splitForWire(reply(text), route))
        expect(wireSize(route, part)).toBeLessThanOrEqual(wireLimit(route))
    }
    expect(splitForWire(reply(text), "group").length).toBeGreaterThan(1)
  })

  it("always fits, keeps order and loses nothing", () => {
    fc.assert(
      fc.property(
        markdownText(2_000),
        fc.constantFrom(...routes),
        fc.integer({ min: 40, max: 400 }),
        (text, route, budget) => {
          const cost = (piece: string) =>
            wireSize(route, { title: "", text: piece, atUserIds: [] }) -
            wireSize(route, { title: "", text: "", atUserIds: [] })
          const chunks = chunkMarkdown(text, budget, cost)
          expect(chunks.map((chunk) => chunk.content).join("")).toBe(text)
          for (const chunk of chunks) {
            const single = [...chunk.content].length === 1 || chunk.content.length <= 16
            if (!single) expect(cost(chunk.content)).toBeLessThanOrEqual(budget)
          }
        },
      ),
      { numRuns: 200 },
    )
    fc.assert(
      fc.property(markdownText(4_000), fc.constantFrom(...routes), (text, route) => {
        const long = text.repeat(12)
        for (const part of splitForWire(reply(long, ["s"]), route)) {
          expect(wireSize(route, part)).toBeLessThanOrEqual(wireLimit(route))
        }
      }),
      { numRuns: 40 },
    )
  })
})
