import { decodeCallback, type InboundMessage, MAX_LINE_CHARS, MAX_RECORD_LINES } from "@openpollen/core"
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { loadFixture } from "../fixtures/loadFixture.js"

const decode = (payload: unknown): InboundMessage => {
  const result = decodeCallback(payload)
  if (Result.isFailure(result)) throw new Error(`${result.failure.path} ${result.failure.message}`)
  return result.success
}
const decoded = (name: string) => decode(loadFixture(name))
const withContent = (msgtype: string, content: unknown) =>
  decode({ ...loadFixture("dm-text"), msgtype, content })

describe("decodeCallback: markdown, chatRecord and interactiveCard arrive with their text", () => {
  it("reads a markdown message's text, or its title when the text is missing", () => {
    expect(decoded("markdown")).toMatchObject({
      type: "markdown",
      text: "## 本周进展\n- 完成 **部署脚本** 重构\n- 修复登录超时",
      attachments: [],
    })
    expect(withContent("markdown", { title: "只有标题" }).text).toBe("只有标题")
  })

  it("reads a forwarded chat history as one 'sender: text' line per message, media as placeholders", () => {
    expect(decoded("chatRecord")).toMatchObject({
      type: "chatRecord",
      text: "王芳: 部署脚本报错了\n李雷: [图片]\n李雷: 第 3 行 / 缺少权限\n王芳: [文件 error.log]",
      attachments: [],
    })
  })

  it("accepts the entries as an array too, and falls back to the summary when they are unreadable", () => {
    const entries = [{ senderNick: "甲", msgType: "text", content: "一" }]
    expect(withContent("chatRecord", { chatRecord: entries }).text).toBe("甲: 一")
    expect(withContent("chatRecord", { chatRecord: "not json", summary: "甲: 一" }).text).toBe(
      "[聊天记录] 甲: 一",
    )
    expect(withContent("chatRecord", { chatRecord: "[]" }).text).toBe("[聊天记录]")
    expect(withContent("chatRecord", "junk").text).toBe("[聊天记录]")
  })

  it("bounds a long history: at most MAX_RECORD_LINES lines of at most MAX_LINE_CHARS characters", () => {
    const entries = Array.from({ length: MAX_RECORD_LINES + 30 }, (_, index) => ({
      senderNick: `u${index}`,
      msgType: "text",
      content: "长".repeat(MAX_LINE_CHARS * 2),
    }))
    const lines = withContent("chatRecord", { chatRecord: JSON.stringify(entries) }).text.split("\n")
    expect(lines).toHaveLength(MAX_RECORD_LINES + 1)
    expect(lines.at(-1)).toBe("…（另有 30 条未显示）")
    for (const line of lines.slice(0, -1)) expect([...line].length).toBeLessThanOrEqual(MAX_LINE_CHARS + 1)
  })

  it("keeps every history's lines bounded and never throws, whatever the entries", () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 150 }), fc.boolean(), (entries, asString) => {
        const record = asString ? JSON.stringify(entries) : entries
        const text = withContent("chatRecord", { chatRecord: record }).text
        expect(text.split("\n").length).toBeLessThanOrEqual(MAX_RECORD_LINES + 1)
      }),
    )
  })

  it("reads an interactiveCard's title, text and document link; a bare card is '[卡片]'", () => {
    expect(decoded("interactiveCard")).toMatchObject({
      type: "interactiveCard",
      text: "Q4 路线图\ndingtalk://dingtalkclient/page/link?route=previewDentry&type=file&spaceId=2749103382&fileId=183920475612",
    })
    expect(withContent("interactiveCard", { cardData: "{}" }).text).toBe("[卡片]")
  })
})

describe("decodeCallback: quotes of media", () => {
  it("carries a quoted file as an attachment to download", () => {
    expect(decoded("quoted-file")).toMatchObject({
      text: "这个文件里第几行？",
      quoted: {
        msgId: "msgQf0==",
        text: "",
        attachments: [{ kind: "file", downloadCode: "LJYQuoted/File+1==", fileName: "季度报表.xlsx" }],
      },
    })
  })

  it("names a quoted file that arrives without a download code, and reads quoted audio and markdown", () => {
    const quote = (repliedMsg: unknown) =>
      decode({ ...loadFixture("dm-text"), text: { content: "?", isReplyMsg: true, repliedMsg } }).quoted
    expect(quote({ msgType: "file", content: { fileName: "旧文件.pdf" } })).toEqual({
      text: "[文件 旧文件.pdf]",
      attachments: [],
    })
    expect(quote({ msgType: "audio", content: { downloadCode: "a/b+=", recognition: "十点开会" } })).toEqual({
      text: "十点开会",
      attachments: [{ kind: "audio", downloadCode: "a/b+=", recognition: "十点开会" }],
    })
    expect(quote({ msgType: "markdown", content: { title: "t", text: "**粗体**" } })).toEqual({
      text: "**粗体**",
      attachments: [],
    })
    expect(
      quote({
        msgType: "richText",
        content: { richText: [{ text: "图" }, { type: "picture", downloadCode: "p==" }] },
      }),
    ).toEqual({ text: "图", attachments: [{ kind: "picture", downloadCode: "p==" }] })
  })
})
