import { spawn } from "node:child_process"
import { type Simulator, startSimulator } from "@openpollen/simulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BotProcess, botConfig, startBot } from "./e2e/harness/BotProcess.js"
import { rawRequest } from "./support/rawRequest.js"

const CLI = new URL("../bin/openpollen.js", import.meta.url).pathname

const runCli = (bot: BotProcess, args: ReadonlyArray<string>) =>
  new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args, "--config", `${bot.home}/openpollen.json`], {
      cwd: bot.home,
      env: { PATH: process.env.PATH ?? "", HOME: bot.home, DT_CLIENT_ID: "x", DT_CLIENT_SECRET: "y" },
      stdio: ["ignore", "pipe", "pipe"],
    })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once("exit", (code) => resolve({ code, output }))
  })

describe("the running bot's gateway against a browser page", () => {
  let sim: Simulator
  let bot: BotProcess

  beforeAll(async () => {
    sim = await startSimulator()
    bot = await startBot(sim, botConfig(sim))
    await bot.waitFor(/dingtalk: connected/, 30_000)
  })
  afterAll(async () => {
    await bot?.stop()
    await sim?.close()
  })

  it("delivers nothing for a no-preflight text/plain POST or a rebinding Host", async () => {
    const user = sim.addUser({ nick: "Mallory", staffId: "mallory01" })
    const body = JSON.stringify({ to: user.staffId, text: "sent by a web page" })
    const plain = await rawRequest(`${bot.gatewayUrl}/api/messages`, {
      method: "POST",
      headers: { "content-type": "text/plain;charset=UTF-8", origin: "https://evil.example" },
      body,
    })
    expect([403, 415]).toContain(plain.status)
    const noOrigin = await rawRequest(`${bot.gatewayUrl}/api/messages`, {
      method: "POST",
      headers: { "content-type": "text/plain;charset=UTF-8" },
      body,
    })
    expect(noOrigin.status).toBe(415)
    const rebound = await rawRequest(`${bot.gatewayUrl}/api/channels/dingtalk/test`, {
      method: "POST",
      headers: { "content-type": "application/json", host: "attacker.example:18800" },
      body: JSON.stringify({ to: user.staffId }),
    })
    expect(rebound.status).toBe(421)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(sim.counters.batchSends).toBe(0)
  })

  it("still serves the CLI, which finds the bot and its token in the run-state file", async () => {
    const user = sim.addUser({ nick: "Operator", staffId: "operator01" })
    const result = await runCli(bot, ["channel", "test", "dingtalk", "--to", "operator01"])
    expect(result.output).toContain("send")
    expect(result.code).toBe(0)
    const reply = await sim.nextReply(sim.dm(user).id, { timeoutMs: 15_000 })
    expect(reply.via).toBe("batchSend")
  })
})
