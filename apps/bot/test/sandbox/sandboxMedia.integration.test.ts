import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startFakeChatCompletions, textChunks } from "@openpollen/agent-openai/testing"
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BotProcess, startCli } from "../e2e/harness/BotProcess.js"
import { launchChromium } from "../setup/chromium.js"

const PNG_1x1 = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
)

describe("the sandbox page shows the media an answer sends", () => {
  let bot: BotProcess
  let browser: Browser
  let page: Page
  let api: Awaited<ReturnType<typeof startFakeChatCompletions>>
  const workspace = mkdtempSync(join(tmpdir(), "openpollen-sandbox-media-"))

  beforeAll(async () => {
    writeFileSync(join(workspace, "chart.png"), PNG_1x1)
    writeFileSync(join(workspace, "report.pdf"), Buffer.alloc(2_048, 0x25))
    api = await startFakeChatCompletions()
    bot = await startCli({
      gateway: { port: 0 },
      sandbox: { port: 0 },
      agent: { provider: "openai", workspace, openai: { baseUrl: api.url, model: "m" } },
    })
    await bot.waitFor(/sandbox: open (http:\/\/\S+)/)
    await bot.waitFor(/dingtalk: connected/)
    const url = /sandbox: open (http:\/\/\S+)/.exec(bot.stdout())?.[1] ?? ""
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1100, height: 720 } })
    await page.goto(url)
    await page.waitForSelector(".conv")
  })

  afterAll(async () => {
    await browser?.close()
    expect(await bot?.stop()).toBe(0)
    await api?.close()
    rmSync(workspace, { recursive: true, force: true })
  })

  it("renders the image inline from the simulator and the file as a download link with its name and size", async () => {
    api.script({
      kind: "stream",
      chunks: textChunks(["图表：![图](chart.png)\n", "报告：[报告](report.pdf)"]),
    })
    await page.locator(".conv", { hasText: "单聊" }).first().click()
    await page.fill("#text", "发我图表和报告")
    await page.press("#text", "Enter")
    const bubbles = page.locator(".msg:not(.mine) .bubble")
    await expect.poll(() => bubbles.count(), { timeout: 10_000 }).toBe(3)
    expect(await bubbles.nth(0).textContent()).toContain("📎 report.pdf")
    const image = bubbles.nth(1).locator("img.sent")
    await expect
      .poll(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), {
        timeout: 5_000,
      })
      .toBe(1)
    const link = bubbles.nth(2).locator("a.file")
    expect(await link.textContent()).toBe("📎 report.pdf")
    expect(await link.getAttribute("download")).toBe("report.pdf")
    expect(await bubbles.nth(2).locator(".size").textContent()).toBe("2.0 KB")
    const served = await fetch((await link.getAttribute("href")) ?? "")
    expect((await served.arrayBuffer()).byteLength).toBe(2_048)
  })
})
