import { spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startSimulator } from "@openpollen/simulator"
import { describe, expect, it } from "vitest"
import { botConfig } from "./e2e/harness/BotProcess.js"

const CLI = new URL("../bin/openpollen.js", import.meta.url).pathname

describe("start-up order", () => {
  it("does not connect to DingTalk (nor ACK anything) when start-up fails: the gateway port is taken", async () => {
    const sim = await startSimulator()
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()))
    const port = (blocker.address() as { port: number }).port
    const home = mkdtempSync(join(tmpdir(), "openpollen-order-"))
    try {
      const user = sim.addUser({ nick: "早到的消息" })
      const delivery = await sim.sendText(sim.dm(user), user, "sent before the bot starts")
      let acked = false
      void delivery.acked.then(() => {
        acked = true
      })
      const config = { ...botConfig(sim), gateway: { host: "127.0.0.1", port } }
      writeFileSync(join(home, "openpollen.json"), JSON.stringify(config))
      const child = spawn(process.execPath, [CLI, "start", "--config", join(home, "openpollen.json")], {
        cwd: home,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: home,
          DT_CLIENT_ID: sim.app.clientId,
          DT_CLIENT_SECRET: sim.app.clientSecret,
        },
        stdio: ["ignore", "pipe", "pipe"],
      })
      let output = ""
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString()
      })
      child.stderr.on("data", (chunk: Buffer) => {
        output += chunk.toString()
      })
      const code = await new Promise<number | null>((resolve) => child.once("exit", resolve))
      expect(code, output).not.toBe(0)
      expect(output).toMatch(/EADDRINUSE|in use/)
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(sim.counters.gatewayOpens).toBe(0)
      expect(sim.counters.connectionsOpened).toBe(0)
      expect(acked).toBe(false)
    } finally {
      blocker.close()
      rmSync(home, { recursive: true, force: true })
      await sim.close()
    }
  })
})
