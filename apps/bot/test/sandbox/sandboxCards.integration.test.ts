import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { AgentFailed } from "@openpollen/core"
import { makeScriptedAgent, scriptedChunks } from "@openpollen/core/testing"
import { type Simulator, startSimulator } from "@openpollen/simulator"
import { type Layer, Redacted, Stream } from "effect"
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type DingTalkChannel, startDingTalkChannel } from "../../src/channel/DingTalkChannel.js"
import { resolveConfig } from "../../src/config/ResolvedConfig.js"
import { botLoggerLayer } from "../../src/logging/BotLogger.js"
import { startSandbox } from "../../src/sandbox/startSandbox.js"
import { launchChromium } from "../setup/chromium.js"

const CHUNKS = [
  "第一段：**卡片**已打开。",
  "\n第二段：内容逐步出现。",
  "\n第三段：仍在生成。",
  "\n第四段：回答完毕。",
]

// A model that writes slowly (a chunk every 700 ms; the card is updated at most every 300 ms), so the page is seen
// between updates; a message asking for "出错" makes it fail half-way.
const agent = makeScriptedAgent((request) =>
  request.text.includes("出错")
    ? Stream.concat(
        scriptedChunks(["写到一半"], "300 millis"),
        Stream.fail(new AgentFailed({ reason: "unavailable", message: "the model went away" })),
      )
    : scriptedChunks(CHUNKS, "700 millis"),
)

describe("the sandbox page shows AI cards filling in live (replyMode card, in Chromium)", () => {
  let sim: Simulator
  let channel: DingTalkChannel
  let sandbox: Awaited<ReturnType<typeof startSandbox>>
  let browser: Browser
  let page: Page
  const uploads = mkdtempSync(join(tmpdir(), "openpollen-sandbox-cards-"))

  beforeAll(async () => {
    sim = await startSimulator()
    const defaults = resolveConfig({})
    channel = await startDingTalkChannel({
      dingtalk: {
        ...defaults.dingtalk,
        replyMode: "card",
        apiBase: sim.url,
        oapiBase: sim.url,
        uploads: { ...defaults.dingtalk.uploads, dir: uploads },
      },
      credentials: {
        clientId: sim.app.clientId,
        clientSecret: Redacted.make(sim.app.clientSecret),
        robotCode: sim.app.robotCode,
      },
      store: defaults.store,
      mode: "sandbox",
      agent: agent.layer,
      logger: botLoggerLayer({
        level: "error",
        secrets: [sim.app.clientSecret],
        pretty: false,
      }) as Layer.Layer<never>,
    })
    await sim.waitForConnections(1, { timeoutMs: 15_000 })
    sandbox = await startSandbox({ simulator: sim, host: "127.0.0.1", port: 0 })
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1000, height: 640 } })
    await page.goto(sandbox.url)
    await page.locator(".conv", { hasText: "单聊" }).first().click()
  })

  afterAll(async () => {
    await browser?.close()
    await sandbox?.close()
    await channel?.stop(5_000)
    await sim?.close()
    rmSync(uploads, { recursive: true, force: true })
  })

  const cardBubbles = () => page.locator(".msg:not(.mine) .bubble.card")

  it("shows the card at once, its partial text while the agent streams, then the complete final text", async () => {
    await page.fill("#text", "请慢慢回答")
    await page.press("#text", "Enter")
    const card = cardBubbles().first()
    await card.waitFor({ timeout: 10_000 })
    const seen: Array<string> = []
    await expect
      .poll(
        async () => {
          const text = ((await card.textContent()) ?? "").trim()
          if (seen.at(-1) !== text) seen.push(text)
          return text.includes("第一段") && !text.includes("第四段")
        },
        { timeout: 10_000, interval: 50 },
      )
      .toBe(true)
    const partial = seen.at(-1) ?? ""
    expect(await card.locator("strong").textContent()).toBe("卡片")
    expect(await page.locator(".route.card-inputing").count()).toBe(1)
    await page.screenshot({ path: join(tmpdir(), "openpollen-sandbox-card-streaming.png") })

    await page.locator(".route.card-finished").waitFor({ timeout: 10_000 })
    const final = ((await card.textContent()) ?? "").trim()
    expect(await card.locator("br").count()).toBe(3)
    expect(final).toBe("第一段：卡片已打开。\n第二段：内容逐步出现。\n第三段：仍在生成。\n第四段：回答完毕。")
    expect(final.length).toBeGreaterThan(partial.length)
    expect(seen[0]).toMatch(/^(处理中…|第一段)/)
    expect(await page.locator(".msg:not(.mine) .bubble").count()).toBe(1)
    expect(sim.cards.all.at(-1)?.flowStatus).toBe("FINISHED")
    await page.screenshot({ path: join(tmpdir(), "openpollen-sandbox-card-final.png") })
  })

  it("shows a card the agent failed on in a distinct error state", async () => {
    await page.fill("#text", "这次请出错")
    await page.press("#text", "Enter")
    await page.locator(".route.card-failed").waitFor({ timeout: 10_000 })
    const failed = page.locator(".msg:not(.mine) .bubble.card.failed")
    expect(await failed.count()).toBe(1)
    expect(((await failed.textContent()) ?? "").trim()).not.toBe("")
    expect(await cardBubbles().count()).toBe(2)
    expect(sim.cards.all.at(-1)?.flowStatus).toBe("FAILED")
    await page.screenshot({ path: join(tmpdir(), "openpollen-sandbox-card-error.png") })
  })
})
