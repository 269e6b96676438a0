import { readFileSync } from "node:fs"
import { join } from "node:path"
import { FRIENDLY_REPLIES } from "@openpollen/core"
import { type SimConversation, type SimUser, type Simulator, startSimulator } from "@openpollen/simulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BotProcess, botConfig, startBot } from "./harness/BotProcess.js"

const PNG = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
])
const REFUSAL = "抱歉，你没有使用这个机器人的权限。"
const quiet = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe("openpollen start: every message kind, per-group settings and refusals", () => {
  let sim: Simulator
  let bot: BotProcess
  let alice: SimUser
  let mallory: SimUser
  let disabled: SimConversation
  let open: SimConversation
  let uploads: string

  beforeAll(async () => {
    sim = await startSimulator({ pingIntervalMs: 1_000 })
    alice = sim.addUser({ nick: "王芳" })
    mallory = sim.addUser({ nick: "陌生人" })
    disabled = sim.group({ title: "停用群", members: [alice] })
    open = sim.group({ title: "全员群", members: [alice] })
    bot = await startBot(
      sim,
      botConfig(sim, {
        allowlists: { dmSenders: [alice.staffId ?? ""] },
        refusalMessage: REFUSAL,
        groups: { [disabled.id]: { enabled: false }, [open.id]: { groupPolicy: "all" } },
      }),
    )
    await bot.waitFor(/dingtalk: connected/)
    uploads = join(bot.home, ".openpollen", "sdk-workspace", "uploads")
  })

  afterAll(async () => {
    const code = await bot?.stop()
    await sim?.close()
    expect(code).toBe(0)
  })

  it("downloads a quoted picture and gives it to the agent as a file (the echo shows its name)", async () => {
    const dm = sim.dm(alice)
    await sim.sendText(dm, alice, "这张图里写的什么？", { quote: { picture: PNG } })
    const reply = await sim.nextReply(dm.id)
    const [quote, text] = reply.text.split("\n\n")
    expect(text).toBe("这张图里写的什么？")
    const name = quote?.replace(/^> /, "") ?? ""
    expect(name).toMatch(/^\d+-[0-9a-f]{16}\.png$/)
    expect(new Uint8Array(readFileSync(join(uploads, name)))).toEqual(PNG)
  })

  it("downloads a quoted file under its extension", async () => {
    const dm = sim.dm(alice)
    const bytes = new TextEncoder().encode("line 1\nline 2\n")
    await sim.sendText(dm, alice, "第二行是什么？", { quote: { file: bytes, fileName: "notes.txt" } })
    const reply = await sim.nextReply(dm.id)
    const name = reply.text.split("\n\n")[0]?.replace(/^> /, "") ?? ""
    expect(name.endsWith(".txt")).toBe(true)
    expect(readFileSync(join(uploads, name), "utf8")).toBe("line 1\nline 2\n")
  })

  it("hands markdown, chatRecord and interactiveCard text to the agent", async () => {
    const dm = sim.dm(alice)
    await sim.sendMarkdown(dm, alice, { title: "周报", text: "## 本周\n- 完成重构" })
    expect((await sim.nextReply(dm.id)).text).toContain("完成重构")
    await sim.sendChatRecord(dm, alice, [
      { from: alice, text: "部署脚本报错了" },
      { from: mallory, picture: true },
      { from: mallory, text: "缺少权限" },
    ])
    expect((await sim.nextReply(dm.id)).text).toBe("王芳: 部署脚本报错了\n陌生人: [图片]\n陌生人: 缺少权限")
    await sim.sendInteractiveCard(dm, alice, {
      title: "Q4 路线图",
      url: "https://alidocs.dingtalk.com/i/nodes/x",
    })
    expect((await sim.nextReply(dm.id)).text).toBe("Q4 路线图\nhttps://alidocs.dingtalk.com/i/nodes/x")
  })

  it("answers a message type it cannot read with the friendly one-liner", async () => {
    const dm = sim.dm(alice)
    await sim.sendText(dm, alice, "", {
      overrides: { msgtype: "unknownMsgType", content: { unknownMsgType: "[当前版本暂不支持该消息类型]" } },
    })
    expect((await sim.nextReply(dm.id)).text).toBe(FRIENDLY_REPLIES.unsupportedMessage)
  })

  it("ignores a group with enabled: false, and answers another with groupPolicy: all without a mention", async () => {
    await sim.sendText(disabled, alice, "有人吗", { mention: true })
    await sim.sendText(open, alice, "不用 at 也回复", { mention: false })
    expect((await sim.nextReply(open.id)).text).toContain("不用 at 也回复")
    await quiet(500)
    expect(sim.replies.filter((reply) => reply.conversationId === disabled.id)).toHaveLength(0)
  })

  it("refuses a sender the allowlist does not name once, then stays silent", async () => {
    const dm = sim.dm(mallory)
    for (const text of ["你好", "在吗", "回我"]) {
      await (await sim.sendText(dm, mallory, text)).acked
      await quiet(150)
    }
    await quiet(500)
    const replies = sim.replies.filter((reply) => reply.conversationId === dm.id)
    expect(replies.map((reply) => reply.text)).toEqual([REFUSAL])
  })
})
