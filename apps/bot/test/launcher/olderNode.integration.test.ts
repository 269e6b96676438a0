import { execFileSync, spawnSync } from "node:child_process"
import { describe, expect, it } from "vitest"

const LAUNCHER = new URL("../../bin/openpollen.js", import.meta.url).pathname

/** The node binaries on PATH older than the 22.13 the bot needs (a machine's system node is often 20). */
const olderNodes = (): ReadonlyArray<string> => {
  let found: ReadonlyArray<string> = []
  try {
    found = execFileSync("which", ["-a", "node"], { encoding: "utf8" }).split("\n").filter(Boolean)
  } catch {
    return []
  }
  return [...new Set(found)].filter((binary) => {
    const version = spawnSync(binary, ["--version"], { encoding: "utf8" }).stdout.trim()
    const [major = 0, minor = 0] = version.slice(1).split(".").map(Number)
    return major > 0 && (major < 22 || (major === 22 && minor < 13))
  })
}

const older = olderNodes()

describe("the launcher under a node older than 22.13", () => {
  it.skipIf(older.length === 0)("stops with one line naming the Node it needs and how to get it", () => {
    for (const node of older) {
      const result = spawnSync(node, [LAUNCHER, "--help"], { encoding: "utf8", timeout: 20_000 })
      expect(result.status).toBe(1)
      expect(result.stdout).toBe("")
      const lines = result.stderr.trimEnd().split("\n")
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/^openpollen needs Node\.js 22\.13 or newer \(this is v\d+\./)
      expect(lines[0]).toContain("npx -y pnpm@10.34.8 start")
    }
  })

  it("runs under the node it is started with by the package scripts", () => {
    const result = spawnSync(process.execPath, [LAUNCHER, "--help"], { encoding: "utf8", timeout: 20_000 })
    expect(result.stderr).toBe("")
    expect(result.stdout).toMatch(/^openpollen — connects an AI agent to DingTalk/)
  })
})
