import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { EchoAgent } from "@openpollen/agent-echo"
import { type ReceivedReply, type Simulator, startSimulator } from "@openpollen/simulator"
import { type Layer, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type DingTalkChannel, startDingTalkChannel } from "../src/channel/DingTalkChannel.js"
import { resolveConfig } from "../src/config/ResolvedConfig.js"
import { startGateway } from "../src/gateway/GatewayServer.js"
import { botLoggerLayer } from "../src/logging/BotLogger.js"

const until = async (condition: () => Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met before the deadline")
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const post = { "content-type": "application/json", authorization: "Bearer test-token" }

describe("the wired DingTalk channel behind the gateway API, against the simulator", () => {
  let sim: Simulator
  let channel: DingTalkChannel
  let gateway: Awaited<ReturnType<typeof startGateway>>
  const uploads = mkdtempSync(join(tmpdir(), "openpollen-bot-channel-"))

  beforeAll(async () => {
    sim = await startSimulator()
    const defaults = resolveConfig({})
    channel = await startDingTalkChannel({
      dingtalk: {
        ...defaults.dingtalk,
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
      mode: "dingtalk",
      agent: EchoAgent.layer(),
      logger: botLoggerLayer({
        level: "error",
        secrets: [sim.app.clientSecret],
        pretty: false,
      }) as Layer.Layer<never>,
    })
    gateway = await startGateway({ host: "127.0.0.1", port: 0, token: Redacted.make("test-token") }, channel)
    await until(async () => (await channel.status()).connection?._tag === "Connected")
  })

  afterAll(async () => {
    await channel?.stop(5_000)
    await gateway?.close()
    await sim?.close()
    rmSync(uploads, { recursive: true, force: true })
  })

  it("reports live state with masked ids and answers a DM through the echo agent", async () => {
    const body = (await (await fetch(`${gateway.url}/api/status`)).json()) as {
      channels: Array<{ clientId: string; connection: { _tag: string } }>
    }
    expect(body.channels[0]?.connection._tag).toBe("Connected")
    expect(body.channels[0]?.clientId).not.toBe(sim.app.clientId)
    const alice = sim.addUser({ nick: "Alice", staffId: "alice01" })
    const dm = sim.dm(alice)
    await sim.sendText(dm, alice, "hello bot")
    expect((await sim.nextReply(dm.id, { timeoutMs: 15_000 })).text).toContain("hello bot")
  })

  it("runs the channel test through the gateway, sending a real message when asked", async () => {
    const bob = sim.addUser({ nick: "Bob", staffId: "bob01" })
    const group = sim.group({ title: "team", members: [bob] })
    const response = await fetch(`${gateway.url}/api/channels/dingtalk/test`, {
      method: "POST",
      headers: post,
      body: JSON.stringify({ to: group.id }),
    })
    const { steps } = (await response.json()) as { steps: Array<{ step: string; ok: boolean }> }
    expect(steps.map((step) => [step.step, step.ok])).toEqual([
      ["credentials", true],
      ["stream", true],
      ["send", true],
    ])
    expect(response.status).toBe(200)
    const reply = await sim.nextReply(group.id, { timeoutMs: 15_000 })
    expect(reply.via).toBe("group")
    expect(reply.text).toContain("OpenPollen")
  })

  it("sends proactive messages to a user by staffId", async () => {
    const carol = sim.addUser({ nick: "Carol", staffId: "carol01" })
    const dm = sim.dm(carol)
    const response = await fetch(`${gateway.url}/api/messages`, {
      method: "POST",
      headers: post,
      body: JSON.stringify({ to: "carol01", text: "build finished" }),
    })
    expect(response.status).toBe(200)
    const reply = await sim.nextReply(dm.id, { timeoutMs: 15_000 })
    expect(reply.via).toBe("batchSend")
    expect(reply.text).toContain("build finished")
  })
  it("sends a long proactive message shaped and split like a reply: 10,000 CJK characters arrive whole", async () => {
    const dave = sim.addUser({ nick: "Dave", staffId: "dave01" })
    const group = sim.group({ title: "ops", members: [dave] })
    const text = `<b>注意</b>\n\n${"部署完成通知。".repeat(1_429)}字`
    expect([...text.slice(text.indexOf("部"))].length).toBe(10_004)
    const response = await fetch(`${gateway.url}/api/messages`, {
      method: "POST",
      headers: post,
      body: JSON.stringify({ to: group.id, text, title: "**发布** 通知" }),
    })
    expect(response.status).toBe(200)
    const parts: Array<ReceivedReply> = []
    for (;;) {
      const part: ReceivedReply | undefined = await sim
        .nextReply(group.id, { timeoutMs: parts.length === 0 ? 15_000 : 3_000 })
        .catch(() => undefined)
      if (part === undefined) break
      parts.push(part)
    }
    expect(parts.length).toBeGreaterThan(1)
    expect(parts.map((part) => part.title)).toEqual(
      parts.map((_, index) => `发布 通知 (${index + 1}/${parts.length})`),
    )
    const joined = parts.map((part) => part.text).join("")
    expect(joined.startsWith("&lt;b&gt;注意&lt;/b&gt;")).toBe(true)
    expect(joined.split("部署完成通知。").length - 1).toBe(1_429)
  })
})
