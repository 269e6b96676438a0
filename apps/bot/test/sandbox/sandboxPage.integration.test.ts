import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BotProcess, startCli } from "../e2e/harness/BotProcess.js"
import { launchChromium } from "../setup/chromium.js"

const PNG_1x1 = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
)

describe("the sandbox chat page, in Chromium, against `openpollen start` with no credentials", () => {
  let bot: BotProcess
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    bot = await startCli({ gateway: { port: 0 }, sandbox: { port: 0 } })
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
  })

  const botBubbles = () => page.locator(".msg:not(.mine) .bubble")

  it("answers a DM and renders the Markdown reply with its route", async () => {
    await page.locator(".conv", { hasText: "单聊" }).first().click()
    await page.fill("#text", "你好，**沙箱**")
    await page.press("#text", "Enter")
    await expect.poll(() => botBubbles().count(), { timeout: 10_000 }).toBe(1)
    expect(await botBubbles().first().innerHTML()).toContain("<strong>沙箱</strong>")
    expect(await page.locator(".msg:not(.mine) .route").first().textContent()).toBe("session webhook")
  })

  it("shows the group policy: no reply without @, a reply that @-mentions the sender with it", async () => {
    await page.locator(".conv", { hasText: "产品研发群" }).click()
    await expect.poll(() => page.locator("#policy").textContent()).toContain("groupPolicy: mention")
    await page.uncheck("#mention")
    await page.fill("#text", "没有at机器人")
    await page.press("#text", "Enter")
    await expect.poll(() => page.locator(".note").count()).toBe(1)
    await page.waitForTimeout(1_000)
    expect(await botBubbles().count()).toBe(0)
    await page.check("#mention")
    await page.fill("#text", "请回复我")
    await page.press("#text", "Enter")
    await expect.poll(() => botBubbles().count(), { timeout: 10_000 }).toBe(1)
    const reply = await botBubbles().first().textContent()
    expect(reply).toContain("请回复我")
    expect(reply).toContain("@王芳")
  })

  it("sends an image and shows the name the bot saved it under", async () => {
    await page.setInputFiles("#image", { name: "shot.png", mimeType: "image/png", buffer: PNG_1x1 })
    await expect.poll(() => botBubbles().count(), { timeout: 10_000 }).toBe(2)
    const reply = (await botBubbles().nth(1).textContent()) ?? ""
    expect(reply).toMatch(/\d+-[0-9a-f]{16}\.png/)
    expect(reply).not.toContain(".openpollen/")
    await page.screenshot({ path: "/tmp/openpollen-sandbox.png" })
  })

  it("quotes an earlier picture: the bot gets the quoted picture as a file", async () => {
    const picture = page.locator(".msg.mine", { has: page.locator("img.sent") }).last()
    await picture.hover()
    await picture.locator(".quote-btn").click()
    await expect.poll(() => page.locator("#pending").textContent()).toContain("引用 王芳：[图片]")
    await page.fill("#text", "这张图是什么？")
    await page.press("#text", "Enter")
    await expect.poll(() => botBubbles().count(), { timeout: 10_000 }).toBe(3)
    const reply = botBubbles().nth(2)
    expect(await reply.locator("blockquote").textContent()).toMatch(/\d+-[0-9a-f]{16}\.png/)
    expect(await reply.textContent()).toContain("这张图是什么？")
    expect(await page.locator("#pending").isHidden()).toBe(true)
    await page.screenshot({ path: "/tmp/openpollen-sandbox-quote.png" })
  })

  it("sends multi-line text (Shift+Enter) and a file from the composer", async () => {
    await page.locator(".conv", { hasText: "单聊" }).first().click()
    await page.fill("#text", "第一行")
    await page.press("#text", "Shift+Enter")
    await page.type("#text", "第二行")
    expect(await page.inputValue("#text")).toBe("第一行\n第二行")
    await page.press("#text", "Enter")
    await expect.poll(() => botBubbles().count(), { timeout: 10_000 }).toBe(2)
    expect(await page.locator(".msg.mine .bubble").last().innerHTML()).toBe("第一行<br>第二行")
    expect(await botBubbles().nth(1).innerHTML()).toMatch(/第一行(<br>|<\/p>)\s*(<p>)?第二行/)

    await page.selectOption("#kind", "file")
    await page.setInputFiles("#attachment", {
      name: "notes.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("hi"),
    })
    await expect.poll(() => page.locator("#pending").textContent()).toContain("附件 notes.txt")
    await page.press("#text", "Enter")
    await expect.poll(() => botBubbles().count(), { timeout: 10_000 }).toBe(3)
    expect(await botBubbles().nth(2).textContent()).toMatch(/\d+-[0-9a-f]{16}\.txt/)
    await page.locator(".msg.mine").last().hover()
    await page.screenshot({ path: "/tmp/openpollen-sandbox-kinds.png" })
  })
})
