import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startFakeChatCompletions, textChunks } from "@openpollen/agent-openai/testing"
import { type ReceivedReply, type Simulator, startSimulator } from "@openpollen/simulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { botConfig, startBot } from "./harness/BotProcess.js"

const PNG = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 7, 7, 7,
])
const PDF = new TextEncoder().encode("%PDF-1.4 季度报告 %%EOF")

/** An agent workspace holding the chart and the report it wrote, and a symlink pointing out of it. */
const workspaceWithFiles = () => {
  const base = mkdtempSync(join(tmpdir(), "openpollen-media-"))
  const workspace = join(base, "ws")
  mkdirSync(join(workspace, "out"), { recursive: true })
  writeFileSync(join(workspace, "chart.png"), PNG)
  writeFileSync(join(workspace, "out", "report.pdf"), PDF)
  writeFileSync(join(base, "outside.txt"), "not yours")
  symlinkSync(join(base, "outside.txt"), join(workspace, "escape.txt"))
  writeFileSync(join(workspace, "big.zip"), "")
  truncateSync(join(workspace, "big.zip"), 21 * 1024 * 1024)
  return { base, workspace }
}

const answerFor = (workspace: string) => [
  "图表如下：\n",
  "![图表](chart.png)\n",
  `完整报告：[季度报告](${join(workspace, "out", "report.pdf")})\n`,
  "别的：[密码](/etc/passwd) [上级](../../x) [链接](escape.txt)",
]

const bytesOf = (sim: Simulator, reply: ReceivedReply) => sim.uploadedMedia(reply.media?.mediaId ?? "")?.bytes

/** The text's checks: labels for what is sent, a note with the file name only for what is not. */
const expectLabelledText = (text: string, workspace: string) => {
  expect(text).toContain("图表如下：")
  expect(text).toContain("📎 report.pdf")
  expect(text).not.toContain("chart.png")
  for (const name of ["passwd", "x", "escape.txt"])
    expect(text).toContain(`⚠️ ${name}: not sent (outside the folders the bot may share)`)
  expect(text).not.toContain("/etc/")
  expect(text).not.toContain(workspace)
}

describe("openpollen start: an answer's image and file go out as DingTalk media", () => {
  let sim: Simulator
  let files: ReturnType<typeof workspaceWithFiles>
  beforeAll(async () => {
    sim = await startSimulator({ redeliveryTimeoutMs: 800, pingIntervalMs: 1_000 })
    files = workspaceWithFiles()
  })
  afterAll(async () => {
    await sim?.close()
    rmSync(files.base, { recursive: true, force: true })
  })

  /** The real CLI with an OpenAI-compatible agent (a local fake) whose workspace holds the files; stopped after `run`. */
  const withAgentBot = async (
    dingtalk: Record<string, unknown>,
    run: (api: Awaited<ReturnType<typeof startFakeChatCompletions>>) => Promise<void>,
  ) => {
    const api = await startFakeChatCompletions()
    const bot = await startBot(sim, {
      ...botConfig(sim, dingtalk),
      agent: { provider: "openai", workspace: files.workspace, openai: { baseUrl: api.url, model: "m" } },
    })
    try {
      await bot.waitFor(/dingtalk: connected/)
      await run(api)
      expect(bot.output()).not.toContain("access_token=")
    } finally {
      await bot.stop()
      await api.close()
    }
  }

  it("markdown mode: the text, then the image, then the file, in order; paths outside the roots are never uploaded", async () => {
    await withAgentBot({}, async (api) => {
      const user = sim.addUser({ nick: "王芳" })
      const dm = sim.dm(user)
      api.script({ kind: "stream", chunks: textChunks(answerFor(files.workspace), 20) })
      await sim.sendText(dm, user, "画个图，再写个报告")
      const text = await sim.nextReply(dm.id, { timeoutMs: 10_000 })
      expect(text.msgKey).toBe("markdown")
      expectLabelledText(text.text, files.workspace)
      const image = await sim.nextReply(dm.id, { timeoutMs: 10_000 })
      expect(image).toMatchObject({ via: "batchSend", msgKey: "sampleImageMsg", media: { kind: "image" } })
      expect(bytesOf(sim, image)).toEqual(PNG)
      const file = await sim.nextReply(dm.id, { timeoutMs: 10_000 })
      expect(file).toMatchObject({
        msgKey: "sampleFile",
        media: { kind: "file", fileName: "report.pdf", fileType: "pdf", size: PDF.length },
      })
      expect(bytesOf(sim, file)).toEqual(PDF)
      expect(sim.counters.mediaUploads).toBe(2)
      await sim.settled()
      expect(sim.replies.filter((reply) => reply.conversationId === dm.id)).toHaveLength(3)
    })
  })

  it("a file over 20 MB and a refused upload each leave a note; the text still comes first", async () => {
    await withAgentBot({}, async (api) => {
      const user = sim.addUser({ nick: "韩梅梅" })
      const dm = sim.dm(user)
      const uploadsBefore = sim.counters.mediaUploads
      // A 4xx: DingTalk refused the upload, and another try would be refused too.
      sim.setFault("mediaUpload", { status: 400, times: 1 })
      api.script({
        kind: "stream",
        chunks: textChunks(["图：![图表](chart.png)\n", "压缩包：[全部](big.zip)"]),
      })
      await sim.sendText(dm, user, "都发给我")
      const text = await sim.nextReply(dm.id, { timeoutMs: 10_000 })
      expect(text.text).toBe("图：\n压缩包：⚠️ big.zip: not sent (21 MB, over DingTalk's 20 MB limit)")
      const note = await sim.nextReply(dm.id, { timeoutMs: 10_000 })
      expect(note.text).toBe("⚠️ chart.png: could not be sent")
      expect(sim.counters.mediaUploads - uploadsBefore).toBe(1)
      await sim.settled()
      expect(sim.replies.filter((reply) => reply.conversationId === dm.id)).toHaveLength(2)
    })
  })

  it("an upload that fails on the way (a 5xx) is tried again: the image arrives, and no note", async () => {
    await withAgentBot({}, async (api) => {
      const user = sim.addUser({ nick: "孙丽" })
      const dm = sim.dm(user)
      const uploadsBefore = sim.counters.mediaUploads
      sim.setFault("mediaUpload", { status: 503, times: 1 })
      api.script({ kind: "stream", chunks: textChunks(["图：![图表](chart.png)"]) })
      await sim.sendText(dm, user, "发张图")
      await sim.nextReply(dm.id, { timeoutMs: 10_000 })
      const image = await sim.nextReply(dm.id, { timeoutMs: 10_000 })
      expect(image).toMatchObject({ msgKey: "sampleImageMsg", media: { kind: "image" } })
      expect(bytesOf(sim, image)).toEqual(PNG)
      expect(sim.counters.mediaUploads - uploadsBefore).toBe(2)
      await sim.settled()
      expect(sim.replies.filter((reply) => reply.conversationId === dm.id)).toHaveLength(2)
    })
  })

  it("card mode: the card is finalized with the labels, then the image and the file reach the group", async () => {
    await withAgentBot({ replyMode: "card" }, async (api) => {
      const user = sim.addUser({ nick: "李雷" })
      const group = sim.group({ title: "项目组", members: [user] })
      api.script({ kind: "stream", chunks: textChunks(answerFor(files.workspace), 20) })
      await sim.sendText(group, user, "画个图，再写个报告")
      const card = await sim.cards.nextCard(group.id, { timeoutMs: 10_000 })
      const final = await sim.cards.waitForFinal(card.outTrackId, { timeoutMs: 15_000 })
      expect(final.flowStatus).toBe("FINISHED")
      expectLabelledText(final.params.content ?? "", files.workspace)
      for (const update of final.updates) expect(update.content).not.toContain(files.workspace)
      const image = await sim.nextReply(group.id, { timeoutMs: 10_000 })
      const file = await sim.nextReply(group.id, { timeoutMs: 10_000 })
      expect([image.msgKey, file.msgKey]).toEqual(["sampleImageMsg", "sampleFile"])
      expect(image.receivedAt).toBeGreaterThanOrEqual(final.finalizedAt ?? Number.POSITIVE_INFINITY)
      expect(bytesOf(sim, image)).toEqual(PNG)
      expect(bytesOf(sim, file)).toEqual(PDF)
    })
  })
})
