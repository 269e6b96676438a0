import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startFakeChatCompletions, textChunks } from "@openpollen/agent-openai/testing"
import { type Simulator, startSimulator } from "@openpollen/simulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BotProcess, botConfig, until } from "../e2e/harness/BotProcess.js"
import { startConnectedBot } from "./support/startConnectedBot.js"

const PNG = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
])
const PDF = new TextEncoder().encode("%PDF-1.4 季度报告 %%EOF")

describe("fault: the bot dies while it uploads an answer's image (SQLite store)", () => {
  let sim: Simulator
  let base: string
  const bots: Array<BotProcess> = []
  beforeAll(async () => {
    sim = await startSimulator({ redeliveryTimeoutMs: 800, pingIntervalMs: 1_000 })
    base = mkdtempSync(join(tmpdir(), "openpollen-media-restart-"))
    mkdirSync(join(base, "ws"))
    writeFileSync(join(base, "ws", "chart.png"), PNG)
    writeFileSync(join(base, "ws", "report.pdf"), PDF)
  })
  afterAll(async () => {
    for (const bot of bots) await bot.stop()
    await sim?.close()
    rmSync(base, { recursive: true, force: true })
  })

  it("the next start sends the image and the file: the text is not sent again, the agent not asked again", async () => {
    const api = await startFakeChatCompletions()
    try {
      const config = {
        ...botConfig(sim),
        agent: { provider: "openai", workspace: join(base, "ws"), openai: { baseUrl: api.url, model: "m" } },
        store: { kind: "sqlite", path: join(base, "state", "bot.sqlite") },
      }
      const user = sim.addUser({ nick: "周杰" })
      const dm = sim.dm(user)
      api.script({
        kind: "stream",
        chunks: textChunks(["图表：![图表](chart.png)\n", "报告：[报告](report.pdf)"]),
      })
      // The first upload never answers: the bot is killed while it waits, its text long delivered.
      sim.setFault("mediaUpload", { hang: true, times: 1 })
      const first = await startConnectedBot(sim, config)
      bots.push(first)
      await sim.sendText(dm, user, "画个图，附上报告")
      const text = await sim.nextReply(dm.id, { timeoutMs: 10_000 })
      expect(text.text).toBe("图表：\n报告：📎 report.pdf")
      await until(() => sim.counters.mediaUploads === 1, 10_000, "the image's upload to start")
      await new Promise((resolve) => setTimeout(resolve, 300))
      process.kill(first.pid, "SIGKILL")
      await first.exited

      sim.clearFault("mediaUpload")
      const second = await startConnectedBot(sim, config)
      bots.push(second)
      const image = await sim.nextReply(dm.id, { timeoutMs: 15_000 })
      expect(image).toMatchObject({ msgKey: "sampleImageMsg", media: { kind: "image" } })
      expect(sim.uploadedMedia(image.media?.mediaId ?? "")?.bytes).toEqual(PNG)
      const file = await sim.nextReply(dm.id, { timeoutMs: 10_000 })
      expect(file).toMatchObject({ msgKey: "sampleFile", media: { kind: "file", fileName: "report.pdf" } })
      await until(
        () => /sent the media of an answer whose text went out before a restart/.test(second.output()),
        10_000,
        "the resumed media's log line",
      )
      await sim.settled()
      expect(sim.replies.filter((reply) => reply.conversationId === dm.id)).toHaveLength(3)
      expect(api.seen).toHaveLength(1)
      // Answered in full: a third start has nothing left to send.
      await second.stop()
      const third = await startConnectedBot(sim, config)
      bots.push(third)
      await new Promise((resolve) => setTimeout(resolve, 1_500))
      await sim.settled()
      expect(sim.replies.filter((reply) => reply.conversationId === dm.id)).toHaveLength(3)
    } finally {
      await api.close()
    }
  }, 90_000)
})
