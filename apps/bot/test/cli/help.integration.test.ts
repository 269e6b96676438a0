import { execFile } from "node:child_process"
import { describe, expect, it } from "vitest"

const ROOT = new URL("../../../../", import.meta.url).pathname

const pnpm = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile("pnpm", [...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr }),
    )
  })

describe("pnpm openpollen with no command", () => {
  it("prints the help and exits 0 without pnpm's lifecycle noise", async () => {
    const result = await pnpm(["openpollen"])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^openpollen — connects an AI agent to DingTalk/m)
    expect(result.stdout).toContain("Usage: openpollen <command>")
    expect(result.stderr).not.toMatch(/ELIFECYCLE|ERR_PNPM/)
  })
})
