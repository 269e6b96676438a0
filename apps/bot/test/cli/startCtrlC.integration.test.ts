import { spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"

const ROOT = new URL("../../../../", import.meta.url).pathname
const CTRL_C = "\x03"

describe("pnpm start stopped with Ctrl-C on a terminal", () => {
  const home = mkdtempSync(join(tmpdir(), "openpollen-ctrlc-"))
  afterAll(() => rmSync(home, { recursive: true, force: true }))

  it("ends with the bot's clean stop: no pnpm error, exit status 0", async () => {
    const config = join(home, "openpollen.json")
    writeFileSync(config, JSON.stringify({ gateway: { port: 0 }, sandbox: { port: 0 } }))
    // `script` gives pnpm a terminal: Ctrl-C becomes SIGINT for the whole foreground process group, as in a shell.
    const child = spawn("script", ["-qfec", "stty cols 160 rows 40; exec pnpm start", "/dev/null"], {
      cwd: ROOT,
      env: {
        // A user's shell: without the node_modules/.bin entries pnpm puts first on PATH for this test's run.
        PATH: (process.env.PATH ?? "")
          .split(":")
          .filter((entry) => !entry.includes("node_modules"))
          .join(":"),
        HOME: home,
        OPENPOLLEN_CONFIG: config,
        TURBO_TELEMETRY_DISABLED: "1",
        TERM: "xterm-256color",
      },
      stdio: ["pipe", "pipe", "pipe"],
    })
    let screen = ""
    let interrupted = false
    child.stdout.on("data", (chunk: Buffer) => {
      screen += chunk.toString()
      // On a terminal the state is coloured: "dingtalk: ESC[32mconnected".
      if (!interrupted && /dingtalk: (.\[\d+m)?connected/.test(screen)) {
        interrupted = true
        setTimeout(() => child.stdin.write(CTRL_C), 300)
      }
    })
    const killer = setTimeout(() => child.kill("SIGKILL"), 150_000)
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve))
    clearTimeout(killer)
    expect(interrupted, screen).toBe(true)
    expect(screen).toMatch(/openpollen: stopped/)
    expect(screen).not.toMatch(/ELIFECYCLE|ERR_PNPM|Command failed/)
    expect(code).toBe(0)
  }, 180_000)
})
