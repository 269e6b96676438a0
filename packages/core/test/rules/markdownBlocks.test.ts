import {
  chunkMarkdown,
  dingtalkMarkdown,
  openFenceAt,
  parseBlocks,
  renderChunk,
  splitForWire,
  textCost,
  type WireRoute,
} from "@openpollen/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { markdownText } from "./arbitraries.js"

const kinds = (markdown: string) => parseBlocks(markdown).map((block) => block.kind)
const codeOf = (markdown: string) =>
  parseBlocks(markdown)
    .filter((block) => block.kind === "fence")
    .map((block) => block.text)

describe("parseBlocks", () => {
  it("reads fences as CommonMark does: same char, a run at least as long, no info string to close", () => {
    expect(kinds("```\n```js\n<b>x</b>\n```")).toEqual(["fence"])
    expect(parseBlocks("````md\n```\nstill code\n````\nafter")).toMatchObject([
      { kind: "fence", closed: true, fence: { char: "`", length: 4, info: "md" } },
      { kind: "paragraph", text: "after" },
    ])
    expect(openFenceAt("~~~\n```\n")).toMatchObject({ char: "~", length: 3 })
    expect(openFenceAt("```\ncode\n   ```  \n")).toBeUndefined()
    expect(openFenceAt("```\ncode\n    ```\n")).toBeDefined()
    expect(kinds("```inline``` is not a fence\ntext")).toEqual(["paragraph"])
  })

  it("tells tables, lists, paragraphs and blank lines apart", () => {
    expect(kinds("intro\n| a | b |\n|---|---|\n\n- one\n  more\n2. two\nend")).toEqual([
      "paragraph",
      "table",
      "blank",
      "list",
      "paragraph",
    ])
  })

  it("gives the input back when its blocks are joined", () => {
    fc.assert(
      fc.property(markdownText(2_000), (markdown) => {
        expect(
          parseBlocks(markdown)
            .map((block) => block.text)
            .join(""),
        ).toBe(markdown)
      }),
      { numRuns: 300 },
    )
  })
})

describe("the block model under shaping and splitting", () => {
  it("a ```js line inside an open code block does not end it", () => {
    const input = "```\n```js\n<b>x</b>\n```\n<i>"
    expect(dingtalkMarkdown(input)).toBe("```\n```js\n<b>x</b>\n```\n&lt;i&gt;")
  })

  it("escaping never changes text inside code", () => {
    fc.assert(
      fc.property(markdownText(2_000), (markdown) => {
        expect(codeOf(dingtalkMarkdown(markdown))).toEqual(codeOf(markdown))
      }),
      { numRuns: 300 },
    )
  })

  it("keeps inline code spans as they are", () => {
    expect(dingtalkMarkdown("a `<b>` and ``x ` <i>`` but <u> and ` <s>")).toBe(
      "a `<b>` and ``x ` <i>`` but &lt;u&gt; and ` &lt;s&gt;",
    )
  })

  it("splitting then joining returns the input, and every part has balanced fences", () => {
    const routes: ReadonlyArray<WireRoute> = ["webhook", "group", "users"]
    fc.assert(
      fc.property(
        markdownText(2_000),
        fc.constantFrom(...routes),
        fc.integer({ min: 200, max: 2_000 }),
        (text, route, budget) => {
          const chunks = chunkMarkdown(text, budget, (piece) => textCost(route, piece))
          expect(chunks.map((chunk) => chunk.content).join("")).toBe(text)
          for (const chunk of chunks) expect(openFenceAt(renderChunk(chunk))).toBeUndefined()
        },
      ),
      { numRuns: 300 },
    )
    fc.assert(
      fc.property(markdownText(4_000), fc.constantFrom(...routes), (text, route) => {
        for (const part of splitForWire({ title: "t", markdown: text.repeat(12), atUserIds: [] }, route))
          expect(openFenceAt(part.text)).toBeUndefined()
      }),
      { numRuns: 40 },
    )
  })
})
