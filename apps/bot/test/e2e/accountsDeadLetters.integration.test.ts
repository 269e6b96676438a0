import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { type SimApp, type Simulator, startSimulator } from "@openpollen/simulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "../support/runCli.js"
import { accountsConfig } from "./harness/accountsConfig.js"
import { type BotProcess, startCli } from "./harness/BotProcess.js"

describe("dead letters of two accounts sharing one SQLite file", () => {
  const folder = mkdtempSync(join(tmpdir(), "openpollen-accounts-dead-"))
  const path = join(folder, "bot.sqlite")
  let sim: Simulator
  let bot: BotProcess
  let env: Record<string, string>
  const config = () => ({ ...accountsConfig(sim, ["sales", "support"]), store: { kind: "sqlite", path } })
  const start = async () => {
    const started = await startCli(config(), env)
    await started.waitFor(/dingtalk \(sales\): connected/, 30_000)
    await started.waitFor(/dingtalk \(support\): connected/, 30_000)
    return started
  }
  const cli = (args: ReadonlyArray<string>) =>
    runCli(bot.home, [...args, "--config", join(bot.home, "openpollen.json")], env)

  beforeAll(async () => {
    sim = await startSimulator({
      apps: [
        { clientId: "dingsalesdead0001", clientSecret: "sales-secret" },
        { clientId: "dingsupportdead02", clientSecret: "support-secret" },
      ],
    })
    const [sales, support] = sim.apps as [SimApp, SimApp]
    env = {
      SALES_ID: sales.clientId,
      SALES_SECRET: sales.clientSecret,
      SUPPORT_ID: support.clientId,
      SUPPORT_SECRET: support.clientSecret,
    }
    // A first run creates the file; while no bot holds it, each account gets a message it gave up on.
    const first = await start()
    expect(await first.stop()).toBe(0)
    const database = new DatabaseSync(path)
    const insert = database.prepare(
      "INSERT INTO dead_letters (journal_id, frame, deliveries, dead_at, account) VALUES (?, ?, 6, ?, ?)",
    )
    for (const [account, at] of [
      ["sales", 1_000],
      ["support", 2_000],
    ] as const)
      insert.run(
        "1",
        JSON.stringify({ data: { msgId: `msg-${account}`, conversationId: "cidX==" }, receivedAt: 1 }),
        at,
        account,
      )
    database.close()
    bot = await start()
  })

  afterAll(async () => {
    await bot?.stop()
    await sim?.close()
    rmSync(folder, { recursive: true, force: true })
  })

  it("lists both with their accounts, and drops the one named from the account that has it", async () => {
    const listed = await cli(["deadletters", "list"])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toMatch(/msg-sales .* sales\n/)
    expect(listed.stdout).toMatch(/msg-support .* support\n/)
    expect(listed.stdout).toContain("2 dead letter(s)")
    const supportId = /^(\d+) +msg-support/m.exec(listed.stdout)?.[1] ?? ""
    expect((await cli(["deadletters", "drop", supportId])).code).toBe(0)
    const after = (await (await fetch(`${bot.gatewayUrl}/api/deadletters`)).json()) as {
      count: number
      deadLetters: ReadonlyArray<{ msgId?: string; account?: string }>
    }
    expect(after.count).toBe(1)
    expect(after.deadLetters.map((letter) => [letter.msgId, letter.account])).toEqual([
      ["msg-sales", "sales"],
    ])
    expect((await cli(["deadletters", "drop", supportId])).code).toBe(1)
  })
})
