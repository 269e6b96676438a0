import { mkdtempSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { readRunState } from "../src/runState/readRunState.js"
import { removeRunState, writeRunState } from "../src/runState/writeRunState.js"

const state = (pid: number) => ({
  pid,
  gatewayUrl: "http://127.0.0.1:18800",
  token: "t0ken",
  startedAt: "2026-01-01T00:00:00.000Z",
})

describe("run-state file", () => {
  it("is written with mode 0600, read back while its pid lives, and removed only by its owner", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "openpollen-run-")), "state")
    const path = writeRunState(dir, state(process.pid))
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readRunState(dir)).toEqual({ _tag: "Running", state: state(process.pid) })
    removeRunState(dir, process.pid + 1)
    expect(readRunState(dir)._tag).toBe("Running")
    removeRunState(dir, process.pid)
    expect(readRunState(dir)).toEqual({ _tag: "Absent" })
  })

  it("reports a file left by a dead process as stale", () => {
    const dir = mkdtempSync(join(tmpdir(), "openpollen-run-"))
    writeRunState(dir, state(12345))
    expect(readRunState(dir, () => false)).toEqual({ _tag: "Stale", state: state(12345) })
  })
})
