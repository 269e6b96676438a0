import { findMediaReferences, replaceMediaReferences } from "@openpollen/core"
import { describe, expect, it } from "vitest"

const targets = (markdown: string) =>
  findMediaReferences(markdown).map(({ kind, fileName, target }) => ({ kind, fileName, target }))

describe("findMediaReferences", () => {
  it("finds local images and files and https images, in the order written", () => {
    const answer =
      "图表：![chart](/home/u/ws/chart.png)\n报告见 [季度报告](~/.openpollen/sdk-workspace/uploads/report.pdf)，" +
      "logo ![](https://cdn.example.com/a/logo.jpg) 和 [草稿](out/draft.docx)"
    expect(targets(answer)).toEqual([
      { kind: "image", fileName: "chart.png", target: { _tag: "Local", path: "/home/u/ws/chart.png" } },
      {
        kind: "file",
        fileName: "report.pdf",
        target: { _tag: "Local", path: "~/.openpollen/sdk-workspace/uploads/report.pdf" },
      },
      {
        kind: "image",
        fileName: "logo.jpg",
        target: { _tag: "Remote", url: "https://cdn.example.com/a/logo.jpg" },
      },
      { kind: "file", fileName: "draft.docx", target: { _tag: "Local", path: "out/draft.docx" } },
    ])
  })

  it("leaves web links, http images, anchors, mail links and anything in code alone", () => {
    const answer = [
      "[文档](https://example.com/doc.pdf) ![](http://example.com/x.png) [上面](#top) [mail](mailto:a@b.c)",
      "`![inline](/tmp/a.png)`",
      "```md",
      "![fenced](/tmp/b.png)",
      "```",
    ].join("\n")
    expect(findMediaReferences(answer)).toEqual([])
  })

  it("reads angle-bracket targets with spaces, titles, file:// URLs and percent-encoding", () => {
    expect(
      targets('![a](<my chart.png> "title") [b](file:///srv/ws/%E6%8A%A5%E5%91%8A.xlsx) ![c](x.webp "t")'),
    ).toEqual([
      { kind: "image", fileName: "my chart.png", target: { _tag: "Local", path: "my chart.png" } },
      { kind: "file", fileName: "报告.xlsx", target: { _tag: "Local", path: "/srv/ws/报告.xlsx" } },
      { kind: "image", fileName: "x.webp", target: { _tag: "Local", path: "x.webp" } },
    ])
  })

  it("classifies by extension: an image link is an image, an image-syntax PDF is a file, audio goes as a file", () => {
    expect(findMediaReferences("[看图](a.PNG) ![pdf](b.pdf) [录音](c.mp3)").map((r) => r.kind)).toEqual([
      "image",
      "file",
      "file",
    ])
  })
})

describe("replaceMediaReferences", () => {
  const attached = { _tag: "Attached" } as const

  it("removes an attached image (and its line), labels an attached file with its name only", () => {
    const answer =
      "这是图表：\n![chart](/home/u/ws/chart.png)\n报告：[/home/u/ws/report.pdf](/home/u/ws/report.pdf)"
    const references = findMediaReferences(answer)
    expect(replaceMediaReferences(answer, references, [attached, attached])).toBe(
      "这是图表：\n报告：📎 report.pdf",
    )
  })

  it("keeps a visible note with the file name only (never the path) for what is not sent", () => {
    const answer = "密码 [x](/etc/passwd)，大文件 [y](/w/big.zip)，[z](../../x)，![](/w/gone.png)"
    const references = findMediaReferences(answer)
    const text = replaceMediaReferences(answer, references, [
      { _tag: "NotSent", reason: "outside" },
      { _tag: "NotSent", reason: "too-large", bytes: 25 * 1024 * 1024, limitBytes: 20 * 1024 * 1024 },
      { _tag: "NotSent", reason: "outside" },
      { _tag: "NotSent", reason: "missing" },
    ])
    expect(text).toBe(
      "密码 ⚠️ passwd: not sent (outside the folders the bot may share)，" +
        "大文件 ⚠️ big.zip: not sent (25 MB, over DingTalk's 20 MB limit)，" +
        "⚠️ x: not sent (outside the folders the bot may share)，⚠️ gone.png: not sent (file not found)",
    )
    expect(text).not.toContain("/etc")
    expect(text).not.toContain("/w/")
  })

  it("labels images when the answer is nothing but images, so the text is never empty", () => {
    const answer = "![a](/w/a.png)\n![b](/w/b.jpg)"
    expect(replaceMediaReferences(answer, findMediaReferences(answer), [attached, attached])).toBe(
      "🖼 a.png\n🖼 b.jpg",
    )
  })

  it("changes nothing without references", () => {
    expect(replaceMediaReferences("普通回答 [链接](https://x.y)", findMediaReferences("普通回答"), [])).toBe(
      "普通回答 [链接](https://x.y)",
    )
  })
})
