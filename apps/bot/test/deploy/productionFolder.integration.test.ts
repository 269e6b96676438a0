import { type ChildProcess, execFile, spawn } from "node:child_process"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { until } from "../e2e/harness/BotProcess.js"

const ROOT = new URL("../../../../", import.meta.url).pathname

describe("the production folder (pnpm deploy --prod)", () => {
  const work = mkdtempSync(join(tmpdir(), "openpollen-deploy-"))
  const folder = join(work, "openpollen")
  let bot: ChildProcess | undefined
  afterAll(async () => {
    if (bot !== undefined && bot.exitCode === null) {
      bot.kill("SIGTERM")
      await new Promise((resolve) => bot?.once("exit", resolve))
    }
    rmSync(work, { recursive: true, force: true })
  })

  it("holds only runtime dependencies and runs the bot, whose /health answers", async () => {
    // The packages are built by this test's turbo dependencies; `pnpm deploy:bot` builds them, then runs this script.
    // --offline: the folder holds the lockfile's versions from the store, never a fresh resolution.
    await new Promise<void>((resolve, reject) =>
      execFile(
        "pnpm",
        ["run", "deploy:folder", "--offline", "--ignore-scripts", folder],
        { cwd: ROOT, timeout: 300_000 },
        (error, _stdout, stderr) =>
          error === null ? resolve() : reject(new Error(`${error.message}\n${stderr}`)),
      ),
    )
    for (const runtime of ["@openpollen/core", "@openpollen/stream", "effect", "json5"])
      expect(existsSync(join(folder, "node_modules", runtime, "package.json")), runtime).toBe(true)
    for (const development of ["vitest", "playwright-core", "@openpollen/contracts", "fast-check"])
      expect(existsSync(join(folder, "node_modules", development)), development).toBe(false)
    expect(existsSync(join(folder, "node_modules", "@openpollen", "core", "dist", "index.js"))).toBe(true)

    const home = join(work, "home")
    const config = join(work, "openpollen.json")
    writeFileSync(config, JSON.stringify({ gateway: { port: 0 }, sandbox: { port: 0 } }))
    let stdout = ""
    bot = spawn(
      process.execPath,
      ["--max-semi-space-size=8", join(folder, "bin", "openpollen.js"), "start", "--config", config],
      {
        cwd: work,
        env: { PATH: process.env.PATH ?? "", HOME: home, MALLOC_ARENA_MAX: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    )
    bot.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    await until(() => /gateway API on http:\/\/\S+/.test(stdout), 60_000, `the gateway URL in:\n${stdout}`)
    const gatewayUrl = /gateway API on (http:\/\/\S+)/.exec(stdout)?.[1] ?? ""
    // /health answers 503 until the embedded DingTalk's stream is connected, which comes after the gateway.
    let health = 0
    const deadline = Date.now() + 30_000
    while (health !== 200 && Date.now() < deadline) {
      health = (await fetch(`${gatewayUrl}/health`)).status
      if (health !== 200) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(health).toBe(200)
    bot.kill("SIGTERM")
    const code = await new Promise((resolve) => bot?.once("exit", resolve))
    expect(code).toBe(0)
  }, 360_000)
})
