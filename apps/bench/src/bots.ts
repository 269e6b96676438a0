import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import type { SimApp, Simulator } from "@openpollen/simulator"

const OPENPOLLEN_CLI = fileURLToPath(new URL("../../bot/bin/openpollen.js", import.meta.url))
/**
 * What the bot's launcher declares on its `#!/usr/bin/env -S NAME=value … node --flag …` line, which its scripts also
 * pass: the environment it sets and the node flags.
 */
const launcherDeclares = () => {
  const words = (readFileSync(OPENPOLLEN_CLI, "utf8").split("\n", 1)[0] ?? "").split(/\s+/)
  const environment = words
    .filter((word) => /^[A-Z_][A-Z0-9_]*=/.test(word))
    .map((word) => [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)])
  return {
    env: Object.fromEntries(environment) as Record<string, string>,
    nodeFlags: words.filter((word) => word.startsWith("--")),
  }
}
const BASELINE_BOT = fileURLToPath(new URL("./baseline/baselineBot.js", import.meta.url))
const OUTPUT_KEPT = 16_384

export type BotKind = "openpollen" | "baseline"

export interface RunningBot {
  readonly kind: BotKind
  readonly app: SimApp
  readonly pid: number
  /** Spawn until the simulator saw the bot's connection, in ms. */
  readonly coldStartMs: number
  /** The openpollen bot's uploads folder (under its temporary home); undefined for the baseline. */
  readonly uploadsDir: string | undefined
  /** The openpollen bot's gateway API (`http://127.0.0.1:PORT`); undefined for the baseline. */
  readonly gatewayUrl: () => string | undefined
  /** The inspector's WebSocket URL when launched with `inspect`. */
  readonly inspectorUrl: () => string | undefined
  /** Resident set size now, in MB (from /proc). */
  readonly rssMb: () => number
  /** Highest resident set size since the start or the last resetPeak, in MB. */
  readonly peakRssMb: () => number
  readonly resetPeak: () => void
  /** User plus system CPU time the process has used, in ms. */
  readonly cpuMs: () => number
  /**
   * The same for its main thread alone, the one that runs JavaScript: the GC helpers and the thread pool run beside
   * it, so this, not `cpuMs`, bounds how many messages a second the bot can answer.
   */
  readonly mainThreadCpuMs: () => number
  readonly stop: () => Promise<void>
}

export interface LaunchOptions {
  /** Merged into the openpollen bot's `channels.dingtalk` config. */
  readonly dingtalk?: Readonly<Record<string, unknown>>
  /** Open the inspector on a free loopback port (for forceFullGc). */
  readonly inspect?: boolean
  /** The openpollen bot's `store` config; default `{ kind: "memory" }`. */
  readonly store?: Readonly<Record<string, unknown>>
  /** The openpollen bot's `agent` config; default `{ provider: "echo" }`. */
  readonly agent?: Readonly<Record<string, unknown>>
}

const envRef = (name: string) => "$" + `{${name}}`

const uploadsDirOf = (home: string) => join(home, "uploads")

const openpollenConfig = (
  sim: Simulator,
  home: string,
  dingtalk: Readonly<Record<string, unknown>>,
  store: Readonly<Record<string, unknown>>,
  agent: Readonly<Record<string, unknown>>,
) => ({
  channels: {
    dingtalk: {
      enabled: true,
      clientId: envRef("DT_CLIENT_ID"),
      clientSecret: envRef("DT_CLIENT_SECRET"),
      robotCode: envRef("DT_ROBOT_CODE"),
      apiBase: sim.url,
      oapiBase: sim.url,
      uploads: { dir: uploadsDirOf(home) },
      ...dingtalk,
    },
  },
  agent,
  gateway: { host: "127.0.0.1", port: 0 },
  store,
})

const spawnBot = (kind: BotKind, sim: Simulator, app: SimApp, home: string, options: LaunchOptions) => {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: home,
    ...(options.inspect ? { NODE_OPTIONS: "--inspect=127.0.0.1:0" } : {}),
  }
  if (kind === "baseline")
    return spawn(process.execPath, [BASELINE_BOT], {
      cwd: home,
      env: {
        ...env,
        BASELINE_API_BASE: sim.url,
        BASELINE_CLIENT_ID: app.clientId,
        BASELINE_CLIENT_SECRET: app.clientSecret,
      },
      stdio: ["ignore", "pipe", "pipe"],
    })
  const configPath = join(home, "openpollen.json")
  writeFileSync(
    configPath,
    JSON.stringify(
      openpollenConfig(
        sim,
        home,
        options.dingtalk ?? {},
        options.store ?? { kind: "memory" },
        options.agent ?? { provider: "echo" },
      ),
      null,
      2,
    ),
  )
  const launcher = launcherDeclares()
  return spawn(process.execPath, [...launcher.nodeFlags, OPENPOLLEN_CLI, "start", "--config", configPath], {
    cwd: home,
    env: {
      ...launcher.env,
      ...env,
      DT_CLIENT_ID: app.clientId,
      DT_CLIENT_SECRET: app.clientSecret,
      DT_ROBOT_CODE: app.robotCode,
    },
    stdio: ["ignore", "pipe", "pipe"],
  })
}

const statusField = (pid: number, field: "VmRSS" | "VmHWM"): number => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]
  if (kb === undefined) throw new Error(`no ${field} for process ${pid}`)
  return Number(kb) / 1024
}

// Linux reports utime and stime in clock ticks of 1/100 s (USER_HZ).
const TICK_MS = 10

/** utime + stime of `/proc/<path>/stat`: a process (`pid`) or one of its threads (`pid/task/tid`). */
const cpuTimeMs = (path: string): number => {
  const fields = readFileSync(`/proc/${path}/stat`, "utf8").split(") ")[1]?.split(" ") ?? []
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS
}

const keepTail = (child: ChildProcess) => {
  let tail = ""
  const append = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-OUTPUT_KEPT)
  }
  child.stdout?.on("data", append)
  child.stderr?.on("data", append)
  return () => tail
}

/** Starts a bot process on one simulator app and resolves once the simulator has its connection. */
/** The stop of every bot launched and not yet stopped, so a failed run leaves no bot behind. */
const unstopped = new Set<() => Promise<void>>()

/** Stops every bot still running (after a failure part-way through a run). */
export const stopEveryBot = () => Promise.all([...unstopped].map((stop) => stop()))

export const launchBot = async (
  kind: BotKind,
  sim: Simulator,
  app: SimApp,
  options: LaunchOptions = {},
): Promise<RunningBot> => {
  const home = mkdtempSync(join(tmpdir(), `openpollen-bench-${kind}-`))
  const spawnedAt = performance.now()
  const child = spawnBot(kind, sim, app, home, options)
  const output = keepTail(child)
  const firstMatch = (stream: NodeJS.ReadableStream | null, pattern: RegExp) => {
    let found: string | undefined
    const look = (chunk: Buffer) => {
      found = pattern.exec(chunk.toString())?.[1]
      if (found !== undefined) stream?.off("data", look)
    }
    stream?.on("data", look)
    return () => found
  }
  const gatewayUrl = firstMatch(child.stdout, /gateway API on (http:\/\/\S+)/)
  const inspectorUrl = firstMatch(child.stderr, /Debugger listening on (ws:\/\/\S+)/)
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const earlyExit = exited.then(() => {
    throw new Error(`the ${kind} bot exited before connecting:\n${output()}`)
  })
  earlyExit.catch(() => undefined)
  try {
    await Promise.race([sim.waitForConnections(1, { clientId: app.clientId, timeoutMs: 20_000 }), earlyExit])
  } catch (error) {
    child.kill("SIGKILL")
    rmSync(home, { recursive: true, force: true })
    throw error instanceof Error ? new Error(`${error.message}\n${output()}`) : error
  }
  const coldStartMs = performance.now() - spawnedAt
  const pid = child.pid as number
  const stop = async () => {
    unstopped.delete(stop)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM")
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000)
    await exited
    clearTimeout(timer)
    rmSync(home, { recursive: true, force: true })
    const deadline = Date.now() + 15_000
    while (sim.connections(app.clientId).length > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20))
  }
  unstopped.add(stop)
  return {
    kind,
    app,
    pid,
    coldStartMs,
    uploadsDir: kind === "openpollen" ? uploadsDirOf(home) : undefined,
    gatewayUrl,
    inspectorUrl,
    rssMb: () => statusField(pid, "VmRSS"),
    peakRssMb: () => statusField(pid, "VmHWM"),
    // Writing 5 to clear_refs resets the kernel's peak-RSS mark (VmHWM) for that process.
    resetPeak: () => writeFileSync(`/proc/${pid}/clear_refs`, "5"),
    cpuMs: () => cpuTimeMs(String(pid)),
    mainThreadCpuMs: () => cpuTimeMs(`${pid}/task/${pid}`),
    stop,
  }
}
