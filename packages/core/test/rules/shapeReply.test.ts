import { dingtalkMarkdown, graphemes, shapeReply, titleOf } from "@openpollen/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const group = { id: "cidG==", kind: "group" as const }
const dm = { id: "cidD==", kind: "dm" as const }
const sender = { id: "$:LWCP_v1:$a==", staffId: "staff-a", nick: "A" }

describe("shapeReply", () => {
  it("derives a short plain title from the first line", () => {
    expect(titleOf("## **部署**指南：[第一步](https://x.y) 和 `npm`\n正文")).toBe("部署指南：第一步 和 npm")
    expect(titleOf("\n\n- 一二三四五六七八九十一二三四五六七八九十一二三")).toHaveLength(20)
    expect(titleOf("```\ncode\n```")).toBe("code")
    expect(titleOf("")).toBe("回复")
    expect(titleOf("<b>粗体</b> a < b")).toBe("粗体 a < b")
  })

  it("escapes raw HTML outside code, keeps <font> and code untouched", () => {
    const input = '<div>hi</div> <font color="red">红</font> `<b>` a > b\n```html\n<p>x</p>\n```\n> quote'
    expect(dingtalkMarkdown(input)).toBe(
      '&lt;div&gt;hi&lt;/div&gt; <font color="red">红</font> `<b>` a &gt; b\n```html\n<p>x</p>\n```\n> quote',
    )
  })

  it("puts a blank line before a table", () => {
    expect(dingtalkMarkdown("结果如下：\n| a | b |\n|---|---|\n| 1 | 2 |")).toBe(
      "结果如下：\n\n| a | b |\n|---|---|\n| 1 | 2 |",
    )
  })

  it("@-mentions the sender in groups only, and only with a staffId", () => {
    expect(shapeReply("hi", { conversation: group, sender }).atUserIds).toEqual(["staff-a"])
    expect(shapeReply("hi", { conversation: dm, sender }).atUserIds).toEqual([])
    expect(shapeReply("hi", { conversation: group, sender: { id: "x", nick: "x" } }).atUserIds).toEqual([])
  })
})

describe("shapeReply, for any Markdown", () => {
  it("keeps titles short and plain, and leaves no raw < or > outside code", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), (markdown) => {
        const shaped = shapeReply(markdown, { conversation: group, sender })
        expect(graphemes(shaped.title).length).toBeLessThanOrEqual(20)
        expect(shaped.title).not.toMatch(/[*`]|<\/?[a-z!][^<>]*>/i)
        const outsideCode = shaped.markdown
          .replace(/^ {0,3}(`{3,}|~{3,})[\s\S]*?(^ {0,3}\1|$(?![\s\S]))/gm, "")
          .replace(/`[^`\n]*`/g, "")
          .replace(/<\/?font(\s[^<>]*)?>/gi, "")
        expect(outsideCode).not.toMatch(/<[a-z/!]/i)
      }),
    )
  })
})
