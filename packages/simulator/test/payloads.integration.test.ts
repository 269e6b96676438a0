import { type Simulator, startSimulator } from "@openpollen/simulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator()
})
afterAll(() => sim.close())

/** Downloads a downloadCode the way the bot does: token, messageFiles/download, then the pre-signed URL. */
const download = async (downloadCode: string): Promise<Uint8Array> => {
  const json = async (path: string, body: unknown, headers: Record<string, string> = {}) =>
    (await (
      await fetch(`${sim.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      })
    ).json()) as Record<string, unknown>
  const token = await json("/v1.0/oauth2/accessToken", {
    appKey: sim.app.clientId,
    appSecret: sim.app.clientSecret,
  })
  const found = await json(
    "/v1.0/robot/messageFiles/download",
    { downloadCode, robotCode: sim.app.robotCode },
    { "x-acs-dingtalk-access-token": String(token.accessToken) },
  )
  return new Uint8Array(await (await fetch(String(found.downloadUrl))).arrayBuffer())
}

describe("payload builders for the rarer message kinds", () => {
  it("quotes a picture or a file with downloadable bytes (text.repliedMsg)", async () => {
    const alice = sim.addUser({ nick: "王芳" })
    const dm = sim.dm(alice)
    const picture = await sim.sendText(dm, alice, "看这张", { quote: { picture: new Uint8Array([1, 2, 3]) } })
    const text = picture.data.text as { isReplyMsg: boolean; repliedMsg: Record<string, unknown> }
    expect(text.isReplyMsg).toBe(true)
    expect(text.repliedMsg).toMatchObject({ msgType: "picture", senderId: alice.dingtalkId })
    const pictureCode = (text.repliedMsg.content as { downloadCode: string }).downloadCode
    expect(await download(pictureCode)).toEqual(new Uint8Array([1, 2, 3]))
    const file = await sim.sendText(dm, alice, "这个文件", {
      quote: { file: new Uint8Array([9]), fileName: "a.txt" },
    })
    const replied = (file.data.text as { repliedMsg: { msgType: string; content: Record<string, string> } })
      .repliedMsg
    expect(replied.msgType).toBe("file")
    expect(replied.content.fileName).toBe("a.txt")
    expect(await download(replied.content.downloadCode ?? "")).toEqual(new Uint8Array([9]))
  })

  it("builds markdown, chatRecord (entries as a JSON string) and interactiveCard payloads", async () => {
    const alice = sim.addUser({ nick: "王芳" })
    const bob = sim.addUser({ nick: "李雷" })
    const dm = sim.dm(alice)
    const markdown = await sim.sendMarkdown(dm, alice, { title: "周报", text: "## 进展" })
    expect(markdown.data).toMatchObject({ msgtype: "markdown", content: { title: "周报", text: "## 进展" } })
    const record = await sim.sendChatRecord(dm, alice, [
      { from: alice, text: "一" },
      { from: bob, picture: true },
    ])
    const content = record.data.content as { chatRecord: string; summary: string }
    expect(record.data.msgtype).toBe("chatRecord")
    expect(typeof content.chatRecord).toBe("string")
    expect(JSON.parse(content.chatRecord)).toMatchObject([
      { senderNick: "王芳", msgType: "text", content: "一" },
      { senderNick: "李雷", msgType: "picture" },
    ])
    expect(content.summary).toBe("王芳: 一\n李雷: [图片]")
    const card = await sim.sendInteractiveCard(dm, alice, { title: "Q4", url: "dingtalk://x" })
    expect(card.data).toMatchObject({
      msgtype: "interactiveCard",
      content: { title: "Q4", biz_custom_action_url: "dingtalk://x" },
    })
  })
})
