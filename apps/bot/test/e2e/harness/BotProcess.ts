import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Simulator } from "@openpollen/simulator"

const CLI = new URL("../../../bin/openpollen.js", import.meta.url).pathname

export interface BotExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** Date.now() when the test process saw the child exit. */
  readonly at: number
}

export interface BotProcess {
  /** The bot's own process (node running the CLI), e.g. for /proc/<pid>/status. */
  readonly pid: number
  readonly home: string
  readonly gatewayUrl: string
  /** The per-start token from the bot's run-state file; POSTs to the gateway need it. */
  readonly token: () => string
  /** A JSON POST to the gateway with the token, as the CLI sends it. */
  readonly post: (path: string, body: unknown) => Promise<Response>
  /** Resolves when the process has exited, however it ended. */
  readonly exited: Promise<BotExit>
  readonly output: () => string
  readonly stdout: () => string
  readonly waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

export const until = async (
  condition: () => boolean,
  timeoutMs = 10_000,
  what = "condition",
): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

// The config file holds literal `${VAR}` references: the bot, not this template, substitutes them.
const envRef = (name: string) => "$" + `{${name}}`

export const botConfig = (sim: Simulator, dingtalk: Record<string, unknown> = {}) => ({
  channels: {
    dingtalk: {
      enabled: true,
      clientId: envRef("DT_CLIENT_ID"),
      clientSecret: envRef("DT_CLIENT_SECRET"),
      robotCode: envRef("DT_ROBOT_CODE:-"),
      apiBase: sim.url,
      oapiBase: sim.url,
      ...dingtalk,
    },
  },
  agent: { provider: "echo" },
  gateway: { host: "127.0.0.1", port: 0 },
})

/** Runs the bot against a simulator, with the simulator's app credentials in the environment. */
export const startBot = (sim: Simulator, config: Record<string, unknown>, env: Record<string, string> = {}) =>
  startCli(config, { DT_CLIENT_ID: sim.app.clientId, DT_CLIENT_SECRET: sim.app.clientSecret, ...env })

/** Runs the real CLI (`openpollen start --config FILE`) with HOME in a temp folder, collecting everything it prints. */
export const startCli = async (
  config: Record<string, unknown>,
  env: Record<string, string> = {},
): Promise<BotProcess> => {
  const home = mkdtempSync(join(tmpdir(), "openpollen-e2e-"))
  const configPath = join(home, "openpollen.json")
  writeFileSync(configPath, `// e2e\n${JSON.stringify(config, null, 2)}`)
  let stdout = ""
  let stderr = ""
  const child: ChildProcess = spawn(process.execPath, [CLI, "start", "--config", configPath], {
    cwd: home,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: home,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  })
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<BotExit>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, at: Date.now() })),
  )
  const waitFor = (pattern: RegExp, timeoutMs = 15_000) =>
    until(() => pattern.test(stdout), timeoutMs, `${pattern} in the bot's output:\n${stdout}\n${stderr}`)
  // Generous: on a loaded two-core machine a cold start can take several seconds.
  await waitFor(/gateway API on (http:\/\/\S+)/, 30_000)
  await waitFor(/run state in /, 30_000)
  const gatewayUrl = /gateway API on (http:\/\/\S+)/.exec(stdout)?.[1] ?? ""
  const token = () =>
    (JSON.parse(readFileSync(join(home, ".openpollen", "state", "run.json"), "utf8")) as { token: string })
      .token
  return {
    pid: child.pid ?? 0,
    home,
    gatewayUrl,
    token,
    post: (path, body) =>
      fetch(`${gatewayUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token()}` },
        body: JSON.stringify(body),
      }),
    exited,
    output: () => `${stdout}\n${stderr}`,
    stdout: () => stdout,
    waitFor,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal)
      const code = await Promise.race([
        exited.then((exit) => exit.code),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000)),
      ])
      if (child.exitCode === null) child.kill("SIGKILL")
      rmSync(home, { recursive: true, force: true })
      return code
    },
  }
}
