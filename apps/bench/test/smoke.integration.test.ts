import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { SMOKE } from "../src/profiles.js"

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url))

const FIELDS = [
  "throughput",
  "baseline_throughput",
  "throughput_ratio",
  "throughput_ratio_worst",
  "cpu_ratio",
  "p50_ms",
  "p99_ms",
  "baseline_p99_ms",
  "reconnect_gap_ms",
  "baseline_reconnect_gap_ms",
  "rss_peak_mb",
  "rss_after_100k_mb",
  "download_rss_delta_mb",
  "download_ms",
  "cold_start_ms",
  "baseline_cold_start_ms",
  "idle_rss_mb",
  "baseline_idle_rss_mb",
  "cores",
  "sqlite_throughput",
  "sqlite_throughput_ratio",
  "sqlite_p99_ms",
  "card_create_ms_p50",
  "card_create_ms_p99",
  "card_final_lag_ms_p99",
  "card_reply_ms_p50",
  "markdown_reply_ms_p50",
  "markdown_reply_ms_p99",
  "card_updates_per_s_max",
  "card_storm_conversations",
  "card_storm_cards",
] as const

// Below the test's own timeout, so an overrun shows how far the bench got rather than only "timed out".
const OVERRUN_MS = 270_000

/** Runs the bench in its own process group; past OVERRUN_MS the group (the bench and its bots) is killed. */
const runBench = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["--expose-gc", MAIN, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    })
    let stdout = ""
    let stderr = ""
    const overrun = setTimeout(() => {
      stderr += `\n[smoke test] killed after ${OVERRUN_MS} ms`
      process.kill(-(child.pid as number), "SIGKILL")
    }, OVERRUN_MS)
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.once("exit", (code) => {
      clearTimeout(overrun)
      resolve({ code, stdout, stderr })
    })
  })

const ROUNDS = [
  "throughput_rounds",
  "baseline_throughput_rounds",
  "sqlite_throughput_rounds",
  "throughput_ratio_rounds",
  "cpu_ms_per_message_rounds",
  "baseline_cpu_ms_per_message_rounds",
  "cpu_ratio_rounds",
  "sqlite_throughput_ratio_rounds",
  "sqlite_cpu_ratio_rounds",
  "main_thread_ratio_rounds",
] as const

const SPREADS = [
  "throughput_spread",
  "baseline_throughput_spread",
  "cpu_ms_per_message_spread",
  "baseline_cpu_ms_per_message_spread",
  "cold_start_ms_spread",
  "baseline_cold_start_ms_spread",
  "idle_rss_mb_spread",
  "baseline_idle_rss_mb_spread",
] as const

describe("pnpm bench --smoke", () => {
  const out = mkdtempSync(join(tmpdir(), "openpollen-bench-out-"))
  afterAll(() => rmSync(out, { recursive: true, force: true }))

  it("measures both bots and ends with one JSON line holding every field", async () => {
    // Exit 0 whatever the machine's load: the smoke profile's verdict is not enforced.
    const { code, stdout, stderr } = await runBench(["--smoke", "--out", out])
    expect(code, stderr).toBe(0)
    const lines = stdout.trimEnd().split("\n")
    const result = JSON.parse(lines.at(-1) ?? "") as Record<string, unknown>
    expect(result.verdict).toBe("not enforced")
    expect(result.throughput_round_count).toBe(SMOKE.throughputRounds)
    // Every round's figure for every bot, each ratio positive; the median lies within its rounds.
    for (const field of ROUNDS) {
      const rounds = result[field] as ReadonlyArray<number>
      expect(rounds, field).toHaveLength(SMOKE.throughputRounds)
      for (const value of rounds) expect(value, field).toBeGreaterThan(0)
    }
    const ratios = result.throughput_ratio_rounds as ReadonlyArray<number>
    expect(result.throughput_ratio_worst).toBe(Math.min(...ratios))
    expect(result.throughput_ratio as number).toBeGreaterThanOrEqual(Math.min(...ratios))
    expect(result.throughput_ratio as number).toBeLessThanOrEqual(Math.max(...ratios))
    // The main thread is one of the process's threads: its share of the CPU, never more (but for a clock tick).
    for (const [main, whole] of [
      ["main_thread_ms_per_message", "cpu_ms_per_message"],
      ["baseline_main_thread_ms_per_message", "baseline_cpu_ms_per_message"],
      ["sqlite_main_thread_ms_per_message", "sqlite_cpu_ms_per_message"],
    ] as const) {
      expect(result[main] as number, main).toBeGreaterThan(0)
      expect(result[main] as number, main).toBeLessThanOrEqual((result[whole] as number) * 1.1)
    }
    for (const field of ["main_thread_busy", "baseline_main_thread_busy", "sqlite_main_thread_busy"]) {
      expect(result[field] as number, field).toBeGreaterThan(0)
      expect(result[field] as number, field).toBeLessThanOrEqual(1.1)
    }
    for (const field of SPREADS) {
      const [low, high] = result[field] as [number, number]
      expect(low, field).toBeGreaterThan(0)
      expect(high, field).toBeGreaterThanOrEqual(low)
    }
    // The machine's load, as measured: a load average and other processes' share of the CPU, 0 to 1.
    expect(result.machine_load_before as number).toBeGreaterThanOrEqual(0)
    const shares = [
      result.machine_foreign_cpu_share,
      ...(result.machine_foreign_cpu_share_rounds as ReadonlyArray<number>),
      ...Object.values(result.machine_foreign_cpu_share_by_phase as Record<string, number>),
    ]
    expect(shares).toHaveLength(1 + SMOKE.throughputRounds + 3)
    for (const share of shares) {
      expect(share).toBeGreaterThanOrEqual(0)
      expect(share).toBeLessThanOrEqual(1)
    }
    // The same line and its chart in the output folder.
    expect(JSON.parse(readFileSync(join(out, "latest.json"), "utf8"))).toEqual(result)
    const svg = readFileSync(join(out, "latest.svg"), "utf8")
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(3 * SMOKE.throughputRounds + 3)
    for (const field of [...FIELDS, "cpu_ms_per_message", "baseline_cpu_ms_per_message"]) {
      expect(typeof result[field], field).toBe("number")
      expect(result[field] as number, field).toBeGreaterThan(0)
    }
    for (const field of ["rss_after_100k_gc_mb"]) {
      expect(result[field] as number, field).toBeGreaterThan(0)
    }
    expect(result.profile).toBe("smoke")
    expect(stdout).toContain("baseline SDK bot")
    // Every message of both bots answered exactly once.
    expect([
      result.lost,
      result.duplicates,
      result.baseline_lost,
      result.baseline_duplicates,
      result.sqlite_lost,
      result.sqlite_duplicates,
    ]).toEqual([0, 0, 0, 0, 0, 0])
    // AI cards: each appears before the agent's first token (2 s), and the storm of 50 conversations against an org
    // limit of 20 card calls/s ends with every card finalized with its complete text, none lost or doubled.
    expect(result.card_create_ms_p99 as number).toBeLessThan(2000)
    expect(result.card_storm_conversations).toBe(50)
    expect(result.card_storm_cards).toBe(50)
    expect(result.card_storm_finalized_complete).toBe(50)
    expect([
      result.card_storm_lost,
      result.card_storm_doubled,
      result.card_storm_unhandled_qpslimit,
      result.markdown_lost,
      result.markdown_duplicates,
    ]).toEqual([0, 0, 0, 0, 0])
    expect(typeof result.card_storm_qpslimit_403s).toBe("number")
    // The card shows the complete answer no later than the Markdown reply would arrive, give or take scheduling.
    expect(result.card_reply_ms_p50 as number).toBeLessThan((result.markdown_reply_ms_p50 as number) + 500)
    // The baseline waits out the server's disconnect grace; ours hands over at once.
    expect(result.reconnect_gap_ms as number).toBeLessThan(1000)
    expect(result.baseline_reconnect_gap_ms as number).toBeGreaterThanOrEqual(1000)
  })
})
