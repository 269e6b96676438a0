import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { type SimUser, type Simulator, startSimulator } from "@openpollen/simulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BotProcess, botConfig, startBot, until } from "./harness/BotProcess.js"

const PNG = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
])
const byteLength = (value: unknown) => Buffer.byteLength(JSON.stringify(value))

describe("openpollen start against the simulator (groupPolicy: mention)", () => {
  let sim: Simulator
  let bot: BotProcess
  let alice: SimUser
  let bob: SimUser
  const sessions: Array<string> = []
  const remember = <T extends { sessionWebhook: string }>(delivery: T) => {
    sessions.push(new URL(delivery.sessionWebhook).searchParams.get("session") ?? "")
    return delivery
  }

  beforeAll(async () => {
    sim = await startSimulator({ redeliveryTimeoutMs: 800, pingIntervalMs: 1_000, disconnectGraceMs: 3_000 })
    bot = await startBot(sim, botConfig(sim))
    await bot.waitFor(/dingtalk: connected/)
    alice = sim.addUser({ nick: "王芳" })
    bob = sim.addUser({ nick: "李雷" })
  })

  afterAll(async () => {
    const code = await bot?.stop()
    await sim?.close()
    expect(code).toBe(0)
  })

  it("answers a DM through the session webhook", async () => {
    const dm = sim.dm(alice)
    remember(await sim.sendText(dm, alice, "明天的周会几点开始？"))
    const reply = await sim.nextReply(dm.id)
    expect(reply).toMatchObject({
      via: "webhook",
      text: "明天的周会几点开始？",
      title: "明天的周会几点开始？",
    })
  })

  it("answers a group @mention and @-mentions the sender", async () => {
    const group = sim.group({ title: "产品研发群", members: [alice, bob] })
    remember(await sim.sendText(group, alice, "帮我看下这个报错"))
    const reply = await sim.nextReply(group.id)
    expect(reply.atUserIds).toEqual([alice.staffId])
    expect(reply.text).toBe(`帮我看下这个报错\n\n@${alice.staffId}`)
  })

  it("stays quiet in a group when not @-mentioned", async () => {
    const group = sim.group({ title: "闲聊群", members: [alice, bob] })
    remember(await sim.sendText(group, bob, "大家好", { mention: false }))
    remember(await sim.sendText(group, bob, "机器人在吗", { mention: true }))
    const reply = await sim.nextReply(group.id)
    expect(reply.text).toContain("机器人在吗")
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(sim.replies.filter((r) => r.conversationId === group.id)).toHaveLength(1)
  })

  it("truncates a reply over 18,000 characters with a notice and keeps every message within 20,000 bytes", async () => {
    const dm = sim.dm(bob)
    remember(await sim.sendText(dm, bob, "长".repeat(19_000)))
    const first = await sim.nextReply(dm.id, { timeoutMs: 10_000 })
    await until(() => sim.replies.filter((r) => r.conversationId === dm.id).length >= 3, 10_000, "all parts")
    await new Promise((resolve) => setTimeout(resolve, 300))
    const parts = sim.replies.filter((r) => r.conversationId === dm.id)
    for (const part of parts) expect(byteLength(part.body)).toBeLessThanOrEqual(20_000)
    expect(first.title).toMatch(/\(1\/\d\)$/)
    const text = parts.map((part) => part.text).join("")
    expect(text).toContain("已截断")
    expect(text.split("长").length - 1).toBeGreaterThanOrEqual(18_000)
    expect(text.split("长").length - 1).toBeLessThanOrEqual(18_001)
  })

  it("downloads a picture into ~/.openpollen/sdk-workspace/uploads; the echo shows its name, not the server's path", async () => {
    const henry = sim.addUser({ nick: "韩梅" })
    const dm = sim.dm(henry)
    remember(await sim.sendPicture(dm, henry, PNG))
    const reply = await sim.nextReply(dm.id)
    const uploads = join(bot.home, ".openpollen", "sdk-workspace", "uploads")
    const name = reply.text.trim()
    expect(name).toMatch(/^\d+-[0-9a-f]{16}\.png$/)
    expect(reply.text).not.toContain(bot.home)
    const path = join(uploads, name)
    expect(new Uint8Array(readFileSync(path))).toEqual(PNG)
  })

  it("reads richText: text and pictures in order", async () => {
    const group = sim.group({ title: "图文群", members: [alice] })
    remember(
      await sim.sendRichText(group, alice, [{ text: " 截图如下" }, { picture: PNG }, { text: "第二步报错" }]),
    )
    const reply = await sim.nextReply(group.id)
    const lines = reply.text.split("\n\n")
    expect(lines[0]).toBe("截图如下\n第二步报错")
    expect(existsSync(join(bot.home, ".openpollen", "sdk-workspace", "uploads", lines[1] ?? "-"))).toBe(true)
  })

  it("answers a redelivered message (ACK lost) exactly once", async () => {
    const [connection] = sim.connections()
    sim.setConnectionFault(connection?.id ?? "", { dropAcks: true })
    const grace = sim.addUser({ nick: "冯雪" })
    const dm = sim.dm(grace)
    const before = sim.counters.redeliveries
    remember(await sim.sendText(dm, grace, "只回复一次"))
    await sim.nextReply(dm.id)
    await until(() => sim.counters.redeliveries > before, 5_000, "a redelivery")
    sim.setConnectionFault(connection?.id ?? "", { dropAcks: false })
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(sim.replies.filter((r) => r.conversationId === dm.id && r.text === "只回复一次")).toHaveLength(1)
  })

  it("falls back to groupMessages/send and batchSend when the webhook has expired (no @ text: that API cannot mention)", async () => {
    const group = sim.group({ title: "过期群", members: [alice] })
    const expired = { overrides: { sessionWebhookExpiredTime: Date.now() - 1_000 } }
    remember(await sim.sendText(group, alice, "群里晚到的回复", expired))
    const late = await sim.nextReply(group.id)
    expect(late).toMatchObject({ via: "group", text: "群里晚到的回复" })
    expect(late.text).not.toContain("@")
    const ivy = sim.addUser({ nick: "钱多" })
    const dm = sim.dm(ivy)
    remember(await sim.sendText(dm, ivy, "私聊晚到的回复", expired))
    expect(await sim.nextReply(dm.id)).toMatchObject({
      via: "batchSend",
      userIds: [ivy.staffId],
      text: "私聊晚到的回复",
    })
  })

  it("falls back when the webhook answers errcode 300001", async () => {
    sim.setFault("webhook", { latencyMs: 300, times: 1 })
    const carol = sim.addUser({ nick: "陈静" })
    const dm = sim.dm(carol)
    const delivery = remember(await sim.sendText(dm, carol, "会话过期"))
    sim.expireWebhooks(dm.id)
    expect(await sim.nextReply(dm.id)).toMatchObject({ via: "batchSend", text: "会话过期" })
    expect(delivery.msgId).toBeTruthy()
  })

  it("caches the access token across Open API calls", () => {
    expect(sim.counters.tokenCalls).toBe(1)
    expect(sim.counters.legacyTokenCalls).toBe(0)
  })

  it("survives malformed frames", async () => {
    for (const raw of ["{not json", "null", '{"type":"CALLBACK","headers":{}}', "x".repeat(100_000)])
      sim.pushRawFrame(raw)
    await sim.sendRaw({ msgtype: "text", text: { content: "missing fields" } })
    const frank = sim.addUser({ nick: "郑浩" })
    const dm = sim.dm(frank)
    remember(await sim.sendText(dm, frank, "还活着吗"))
    expect((await sim.nextReply(dm.id)).text).toBe("还活着吗")
  })

  it("reconnects after SYSTEM disconnect without a gap", async () => {
    const opened = sim.counters.connectionsOpened
    sim.disconnect()
    const started = Date.now()
    const dave = sim.addUser({ nick: "孙磊" })
    const dm = sim.dm(dave)
    remember(await sim.sendText(dm, dave, "轮换后"))
    await sim.nextReply(dm.id)
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(sim.counters.connectionsOpened).toBe(opened + 1)
  })

  it("reconnects after the socket is killed", async () => {
    sim.kill()
    const erin = sim.addUser({ nick: "吴敏" })
    const dm = sim.dm(erin)
    remember(await sim.sendText(dm, erin, "断线之后"))
    expect((await sim.nextReply(dm.id, { timeoutMs: 10_000 })).text).toBe("断线之后")
  })

  it("answers the gateway API", async () => {
    expect(await (await fetch(`${bot.gatewayUrl}/health`)).json()).toEqual({
      ok: true,
      dingtalk: "Connected",
    })
    const status = (await (await fetch(`${bot.gatewayUrl}/api/status`)).json()) as {
      channels: Array<Record<string, unknown>>
    }
    expect(status.channels[0]).toMatchObject({
      channel: "dingtalk",
      mode: "dingtalk",
      groupPolicy: "mention",
    })
    expect(JSON.stringify(status)).not.toContain(sim.app.clientId)
    const test = await bot.post("/api/channels/dingtalk/test", { to: alice.staffId })
    expect(((await test.json()) as { steps: Array<{ ok: boolean }> }).steps.map((step) => step.ok)).toEqual([
      true,
      true,
      true,
    ])
  })

  it("never prints the client secret, access tokens or webhook sessions", () => {
    const output = bot.output()
    expect(output).not.toContain(sim.app.clientSecret)
    for (const session of sessions) expect(output).not.toContain(session)
  })
})

describe("openpollen start with groupPolicy: all", () => {
  it("answers group messages without a mention, and a restart-free SIGTERM finishes the reply in flight", async () => {
    const sim = await startSimulator()
    const bot = await startBot(sim, botConfig(sim, { groupPolicy: "all" }))
    try {
      await bot.waitFor(/dingtalk: connected/)
      const user = sim.addUser({ nick: "赵六" })
      const group = sim.group({ title: "全员群", members: [user] })
      await sim.sendText(group, user, "不用@也回复", { mention: false })
      expect((await sim.nextReply(group.id)).text).toContain("不用@也回复")
      sim.setFault("webhook", { latencyMs: 1_500, times: 1 })
      const delivery = await sim.sendText(group, user, "关机前的回复", { mention: false })
      await delivery.acked
      const exit = bot.stop("SIGTERM")
      expect((await sim.nextReply(group.id, { timeoutMs: 8_000 })).text).toContain("关机前的回复")
      expect(await exit).toBe(0)
      expect(sim.connections()).toHaveLength(0)
    } finally {
      await bot.stop()
      await sim.close()
    }
  })
})

describe("openpollen start with wrong credentials", () => {
  it("reports one clear error, does not loop, and prints no secret", async () => {
    const sim = await startSimulator()
    const bot = await startBot(sim, botConfig(sim), { DT_CLIENT_SECRET: "wrong-secret-value-123" })
    try {
      await bot.waitFor(/not connected: gateway rejected the app credentials/)
      await new Promise((resolve) => setTimeout(resolve, 3_000))
      expect(sim.counters.gatewayRejected).toBe(1)
      expect(bot.output().match(/rejected the app credentials \(clientId \/ clientSecret\)/g)).toHaveLength(1)
      expect(bot.output()).not.toContain("wrong-secret-value-123")
    } finally {
      expect(await bot.stop()).toBe(0)
      await sim.close()
    }
  })
})

describe("token refresh five minutes before expiry", () => {
  it("fetches a new token once the cached one is within five minutes of expiring", async () => {
    const sim = await startSimulator({ tokenExpireInSeconds: 302 })
    const bot = await startBot(sim, botConfig(sim))
    try {
      await bot.waitFor(/dingtalk: connected/)
      const user = sim.addUser({ nick: "周七" })
      const dm = sim.dm(user)
      const expired = { overrides: { sessionWebhookExpiredTime: Date.now() - 1_000 } }
      await sim.sendText(dm, user, "一", expired)
      await sim.nextReply(dm.id)
      await sim.sendText(dm, user, "二", expired)
      await sim.nextReply(dm.id)
      expect(sim.counters.tokenCalls).toBe(1)
      await new Promise((resolve) => setTimeout(resolve, 2_200))
      await sim.sendText(dm, user, "三", expired)
      await sim.nextReply(dm.id)
      expect(sim.counters.tokenCalls).toBe(2)
    } finally {
      await bot.stop()
      await sim.close()
    }
  })
})
