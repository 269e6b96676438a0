import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url))

const FIELDS = [
  "throughput",
  "baseline_throughput",
  "throughput_ratio",
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

describe("pnpm bench --smoke", () => {
  it("measures both bots and ends with one JSON line holding every field", async () => {
    const { code, stdout, stderr } = await runBench(["--smoke"])
    expect(code, stderr).toBe(0)
    const lines = stdout.trimEnd().split("\n")
    const result = JSON.parse(lines.at(-1) ?? "") as Record<string, unknown>
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
