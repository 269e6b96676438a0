import { startFakeMessagesApi, textEvents, toolUseEvents } from "@openpollen/agent-anthropic/testing"
import { startFakeChatCompletions, textChunks, toolCallChunks } from "@openpollen/agent-openai/testing"
import { FRIENDLY_REPLIES } from "@openpollen/core"
import { type Simulator, startSimulator } from "@openpollen/simulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { botConfig, startBot } from "./harness/BotProcess.js"

const PNG = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 7, 7, 7,
])
const KEY = "sk-e2e-agent-key-0123456789"
// The config file holds literal `${VAR}` references: the bot substitutes them.
const envRef = (name: string) => "$" + `{${name}}`

/** The absolute path of the first file the prompt says was saved. */
const savedPath = (prompt: string) => /^- (\/\S+)/m.exec(prompt)?.[1] ?? "missing"
// biome-ignore lint/suspicious/noExplicitAny: recorded request bodies are inspected freely
const promptOf = (body: any): string => {
  const content = body.messages.at(-1).content
  return typeof content === "string"
    ? content
    : content.find((part: { type: string }) => part.type === "text").text
}

describe("openpollen start with each model agent against its local fake", () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await startSimulator({ redeliveryTimeoutMs: 800, pingIntervalMs: 1_000 })
  })
  afterAll(() => sim?.close())

  it("anthropic: streams Claude's answer, sends the picture's exact bytes, reads it again with read_file, keeps the key out of the output", async () => {
    const api = await startFakeMessagesApi()
    const bot = await startBot(
      sim,
      {
        ...botConfig(sim),
        agent: {
          provider: "anthropic",
          anthropic: { baseUrl: api.url, apiKey: envRef("ANTHROPIC_API_KEY") },
        },
      },
      { ANTHROPIC_API_KEY: KEY },
    )
    try {
      await bot.waitFor(/dingtalk: connected/)
      const user = sim.addUser({ nick: "王芳" })
      const dm = sim.dm(user)
      await sim.sendText(dm, user, "你好")
      expect((await sim.nextReply(dm.id)).text).toBe("echo: 你好")
      expect(api.seen[0]?.headers["x-api-key"]).toBe(KEY)
      expect(api.seen[0]?.headers["anthropic-version"]).toBe("2023-06-01")

      api.script(
        (body) => ({ kind: "stream", events: toolUseEvents([savedPath(promptOf(body))], "Looking. ") }),
        { kind: "stream", events: textEvents(["A tiny ", "PNG."], 50) },
      )
      await sim.sendPicture(dm, user, PNG)
      expect((await sim.nextReply(dm.id, { timeoutMs: 10_000 })).text).toBe("Looking. A tiny PNG.")
      const question = api.seen[1]?.body.messages.at(-1).content
      const image = question.find((block: { type: string }) => block.type === "image")
      expect(new Uint8Array(Buffer.from(image.source.data, "base64"))).toEqual(PNG)
      expect(api.seen[1]?.body.messages.at(0).content).toBe("你好")
      const toolResult = api.seen[2]?.body.messages.at(-1).content[0]
      expect(toolResult.is_error).toBeUndefined()
      expect(new Uint8Array(Buffer.from(toolResult.content[0].source.data, "base64"))).toEqual(PNG)

      api.script({ kind: "status", status: 401 })
      await sim.sendText(dm, user, "还在吗")
      expect((await sim.nextReply(dm.id)).text).toBe(FRIENDLY_REPLIES.agentFailed)
      expect(bot.output()).not.toContain(KEY)
    } finally {
      await bot.stop()
      await api.close()
    }
  })

  it("openai: streams the answer and runs read_file by function calling, with no key for a local server", async () => {
    const api = await startFakeChatCompletions()
    const bot = await startBot(sim, {
      ...botConfig(sim),
      agent: { provider: "openai", openai: { baseUrl: api.url, model: "qwen2.5:7b" } },
    })
    try {
      await bot.waitFor(/dingtalk: connected/)
      const user = sim.addUser({ nick: "李雷" })
      const dm = sim.dm(user)
      api.script(
        (body) => ({ kind: "stream", chunks: toolCallChunks([savedPath(promptOf(body)), "/etc/passwd"]) }),
        { kind: "stream", chunks: textChunks(["Got ", "it."], 50) },
      )
      await sim.sendPicture(dm, user, PNG)
      expect((await sim.nextReply(dm.id, { timeoutMs: 10_000 })).text).toBe("Got it.")
      expect(api.seen[0]?.headers.authorization).toBeUndefined()
      expect(api.seen[0]?.body).toMatchObject({ model: "qwen2.5:7b", stream: true })
      const messages = api.seen[1]?.body.messages
      expect(messages.slice(-3).map((message: { role: string }) => message.role)).toEqual([
        "tool",
        "tool",
        "user",
      ])
      expect(messages.at(-2).content).toMatch(/^error: \/etc\/passwd: outside/)
      const url: string = messages.at(-1).content[0].image_url.url
      expect(new Uint8Array(Buffer.from(url.replace("data:image/png;base64,", ""), "base64"))).toEqual(PNG)
    } finally {
      await bot.stop()
      await api.close()
    }
  })
})
