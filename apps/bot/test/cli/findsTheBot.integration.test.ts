import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Simulator, startSimulator } from "@openpollen/simulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BotProcess, botConfig, startBot } from "../e2e/harness/BotProcess.js"
import { runCli } from "../support/runCli.js"

describe("the CLI next to a running bot on port 0", () => {
  let sim: Simulator
  let bot: BotProcess
  const cli = (args: ReadonlyArray<string>) =>
    runCli(bot.home, [...args, "--config", join(bot.home, "openpollen.json")], {
      DT_CLIENT_ID: sim.app.clientId,
      DT_CLIENT_SECRET: sim.app.clientSecret,
    })

  beforeAll(async () => {
    sim = await startSimulator()
    bot = await startBot(sim, botConfig(sim))
    await bot.waitFor(/dingtalk: connected/, 30_000)
  })
  afterAll(async () => {
    await bot?.stop()
    await sim?.close()
  })

  it("channel list and doctor find it through the run-state file", async () => {
    const list = await cli(["channel", "list"])
    expect(list.code).toBe(0)
    expect(list.stdout).toMatch(/dingtalk .* connected since/)
    const doctor = await cli(["doctor"])
    expect(doctor.stdout).toMatch(/✔ bot +running/)
  })

  it("channel test asks DingTalk for a new token, so a secret reset in the console fails now", async () => {
    const before = await cli(["channel", "test", "dingtalk"])
    expect(before.stdout).toMatch(/✔ credentials +DingTalk issued a new access token/)
    expect(before.code).toBe(0)
    const tokenCalls = sim.counters.tokenCalls
    sim.rotateSecret("a-new-secret-from-the-console")
    const after = await cli(["channel", "test", "dingtalk"])
    expect(sim.counters.tokenCalls).toBeGreaterThan(tokenCalls)
    expect(after.stdout).toMatch(/✘ credentials/)
    expect(after.stdout).toMatch(/✔ stream/)
    expect(after.code).toBe(1)
    expect(`${after.stdout}${after.stderr}`).not.toContain("a-new-secret-from-the-console")
  })
})

describe("the CLI without a running bot", () => {
  const home = mkdtempSync(join(tmpdir(), "openpollen-cli-"))
  afterAll(() => rmSync(home, { recursive: true, force: true }))

  it("says a run-state file is left from a bot that has exited", async () => {
    const stateDir = join(home, ".openpollen", "state")
    mkdirSync(stateDir, { recursive: true })
    // A pid far above any pid_max: no process has it.
    const state = {
      pid: 2 ** 30,
      gatewayUrl: "http://127.0.0.1:1",
      token: "t",
      startedAt: new Date().toISOString(),
    }
    writeFileSync(join(stateDir, "run.json"), JSON.stringify(state))
    const test = await runCli(home, ["channel", "test", "dingtalk"])
    expect(test.code).toBe(1)
    expect(test.stderr).toContain(`run.json is left from pid ${2 ** 30}, which has exited`)
    const doctor = await runCli(home, ["doctor"])
    expect(doctor.stdout).toContain(`left from pid ${2 ** 30}`)
  })

  it("doctor reports an invalid config as a failed check with every problem and the fix", async () => {
    const config = join(home, "broken.json")
    writeFileSync(
      config,
      `{ channels: { dingtalk: { enabled: true, groupPolicy: "some" } }, gateway: { port: -1 } }`,
    )
    const doctor = await runCli(home, ["doctor", "--config", config])
    expect(doctor.code).toBe(1)
    expect(doctor.stdout).toMatch(/✘ config +.*broken\.json: 4 problems/)
    for (const key of ["groupPolicy", "gateway.port", "clientId", "clientSecret"])
      expect(doctor.stdout).toContain(key)
    expect(doctor.stdout).toMatch(/fix: edit .*broken\.json/)
  })
})
