import { existsSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { pnpmLaunchers, watchPnpmLaunchers } from "../src/commands/watchPnpmLaunchers.js"

describe("pnpmLaunchers", () => {
  it.runIf(existsSync("/proc/self/stat") && process.env.npm_lifecycle_event !== undefined)(
    "under a pnpm script, lists live ancestors from the parent up to a pnpm process",
    () => {
      const launchers = pnpmLaunchers()
      expect(launchers[0]).toBe(process.ppid)
      expect(new Set(launchers).size).toBe(launchers.length)
      for (const pid of launchers) expect(() => process.kill(pid, 0)).not.toThrow()
    },
  )

  it("does not fire while the launchers are alive, and stops watching on request", async () => {
    let gone = 0
    const stop = watchPnpmLaunchers(() => gone++, 10)
    await new Promise((resolve) => setTimeout(resolve, 100))
    stop()
    expect(gone).toBe(0)
  })
})
