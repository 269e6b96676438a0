import { cardMarkdown, closeOpenFence, dingtalkMarkdown, parseBlocks } from "@openpollen/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const line = fc.constantFrom(
  "plain text",
  "第二行",
  "",
  "   ",
  "- item",
  "1. first",
  "| a | b |",
  "|---|---|",
  "```",
  "```ts",
  "# heading",
  "> quote",
  "x < y and <b>bold</b>",
  "ends with two spaces  ",
  "`inline <code>`",
)
const document = fc.array(line, { maxLength: 25 }).map((lines) => lines.join("\n"))

/** The lines inside code fences, as the one block model (CommonMark fences) reads them. */
const fenced = (text: string) =>
  parseBlocks(text).flatMap((block) => {
    if (block.kind !== "fence") return []
    const lines = block.text.replace(/\n$/, "").split("\n")
    return lines.slice(1, block.closed ? -1 : undefined)
  })

describe("cardMarkdown", () => {
  it("breaks single newlines between paragraph lines with <br>", () => {
    expect(cardMarkdown("第一行\n第二行\n\n新段落")).toBe("第一行<br>\n第二行\n\n新段落")
  })

  it("leaves code, tables, lists and headings alone", () => {
    const text = "# 标题\nintro\n- a\n- b\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nx = 1\ny = 2\n```"
    expect(cardMarkdown(text)).toBe(
      "# 标题\nintro\n- a\n- b\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nx = 1\ny = 2\n```",
    )
  })

  it("closes a fence that is still open in streamed partial text", () => {
    expect(cardMarkdown("看代码：\n```py\nprint(1)")).toBe("看代码：\n```py\nprint(1)\n```")
  })

  it("only adds <br> to what dingtalkMarkdown makes of the text (closed fences)", () => {
    fc.assert(
      fc.property(document, (text) => {
        expect(cardMarkdown(text).replaceAll("<br>", "")).toBe(dingtalkMarkdown(closeOpenFence(text)))
      }),
    )
  })

  it("keeps every line of code verbatim, without <br>", () => {
    fc.assert(
      fc.property(document, (text) => {
        expect(fenced(cardMarkdown(text))).toEqual(fenced(dingtalkMarkdown(closeOpenFence(text))))
      }),
    )
  })

  it("leaves no two adjacent paragraph lines without a break between them", () => {
    fc.assert(
      fc.property(document, (text) => {
        const paragraph = (value: string) => /^(plain|第二行|&gt;|x &lt;)/.test(value)
        for (const block of parseBlocks(cardMarkdown(text))) {
          if (block.kind !== "paragraph") continue
          const lines = block.text.replace(/\n$/, "").split("\n")
          for (const [index, current] of lines.entries()) {
            const next = lines[index + 1]
            if (next !== undefined && paragraph(current) && paragraph(next))
              expect(current.endsWith("<br>")).toBe(true)
          }
        }
      }),
    )
  })
})
