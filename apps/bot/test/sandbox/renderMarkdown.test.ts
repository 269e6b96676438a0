import { describe, expect, it } from "vitest"
import { renderCardMarkdown, renderMarkdown } from "../../src/sandbox/renderMarkdown.js"

describe("the sandbox's Markdown rendering", () => {
  it("breaks a card's paragraph only at <br>, as DingTalk's card renderer joins its lines", () => {
    expect(renderCardMarkdown("第一行<br>\n第二行\n同一行")).toBe("<p>第一行<br>\n第二行\n同一行</p>\n")
  })

  it("shows any other HTML in a card as text", () => {
    expect(renderCardMarkdown('<img src=x onerror="alert(1)"> <b>粗</b>')).not.toMatch(/<img|<b>/)
  })

  it("keeps a robot message's newlines as breaks and its HTML, <br> too, as text", () => {
    expect(renderMarkdown("a\nb<br>")).toBe("<p>a<br>b&lt;br&gt;</p>\n")
  })
})
