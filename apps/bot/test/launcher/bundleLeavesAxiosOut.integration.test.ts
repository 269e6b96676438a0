import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { type Simulator, startSimulator } from "@openpollen/simulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BotProcess, botConfig, startBot } from "../e2e/harness/BotProcess.js"

// Loaded into the bot with --import: appends every module it resolves, ESM or require, to $RESOLVED_LOG.
const RECORD_RESOLVED = `
import { appendFileSync } from "node:fs"
import { registerHooks } from "node:module"
registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context)
    appendFileSync(process.env.RESOLVED_LOG, resolved.url + "\\n")
    return resolved
  },
})
`

describe("the bundled bot", () => {
  const folder = mkdtempSync(join(tmpdir(), "openpollen-no-axios-"))
  const log = join(folder, "resolved.log")
  const hook = join(folder, "recordResolved.mjs")
  let sim: Simulator
  let bot: BotProcess

  beforeAll(async () => {
    writeFileSync(hook, RECORD_RESOLVED)
    writeFileSync(log, "")
    sim = await startSimulator()
    bot = await startBot(sim, botConfig(sim), {
      NODE_OPTIONS: `--import=${pathToFileURL(hook).href}`,
      RESOLVED_LOG: log,
    })
    await bot.waitFor(/dingtalk: connected/, 30_000)
  })

  afterAll(async () => {
    await bot?.stop()
    await sim?.close()
    rmSync(folder, { recursive: true, force: true })
  })

  it("answers over the SDK's client without ever loading axios", async () => {
    const dm = sim.dm(sim.addUser({ nick: "韩梅梅" }))
    await sim.sendText(dm, dm.members[0] as (typeof dm.members)[number], "在吗")
    expect((await sim.nextReply(dm.id, { timeoutMs: 10_000 })).text).toBe("在吗")
    const resolved = readFileSync(log, "utf8").split("\n")
    // The hook saw the start: the bundle and the packages it leaves external (ws) were resolved through it.
    expect(resolved.some((url) => url.includes("/dist/bundle/cli.js"))).toBe(true)
    expect(resolved.some((url) => /\/ws\//.test(url))).toBe(true)
    expect(resolved.filter((url) => /\/axios\//.test(url))).toEqual([])
  })
})
