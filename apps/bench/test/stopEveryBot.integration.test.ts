import { startSimulator } from "@openpollen/simulator"
import { describe, expect, it } from "vitest"
// The built bench: the baseline bot is spawned from a path next to the compiled module.
import { launchBot, stopEveryBot } from "../dist/bots.js"

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe("stopEveryBot", () => {
  it("stops the bots a run left running, and not again the ones it stopped itself", async () => {
    const sim = await startSimulator({
      apps: [
        { clientId: "left-running", clientSecret: "s1" },
        { clientId: "stopped-already", clientSecret: "s2" },
      ],
    })
    try {
      const [leftApp, stoppedApp] = sim.apps
      if (leftApp === undefined || stoppedApp === undefined) throw new Error("no apps")
      const left = await launchBot("baseline", sim, leftApp)
      const stopped = await launchBot("baseline", sim, stoppedApp)
      await stopped.stop()
      expect(alive(left.pid)).toBe(true)
      await stopEveryBot()
      expect(alive(left.pid)).toBe(false)
      expect(sim.connections(leftApp.clientId)).toHaveLength(0)
    } finally {
      await sim.close()
    }
  }, 60_000)
})
