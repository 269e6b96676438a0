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
] as const

const runBench = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["--expose-gc", MAIN, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.once("exit", (code) => resolve({ code, stdout, stderr }))
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
    // The baseline waits out the server's disconnect grace; ours hands over at once.
    expect(result.reconnect_gap_ms as number).toBeLessThan(1000)
    expect(result.baseline_reconnect_gap_ms as number).toBeGreaterThanOrEqual(1000)
  })
})
