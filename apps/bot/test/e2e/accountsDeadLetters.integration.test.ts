import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { type RedisServer, startRedisServer } from "@openpollen/redis/testing"
import { type SimApp, type Simulator, startSimulator } from "@openpollen/simulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "../support/runCli.js"
import { accountsConfig, envRef } from "./harness/accountsConfig.js"
import { type BotProcess, startCli } from "./harness/BotProcess.js"

const ACCOUNTS = ["sales", "support"] as const
type Account = (typeof ACCOUNTS)[number]

const storedFrame = (account: Account) =>
  JSON.stringify({
    frameMessageId: `f-${account}`,
    data: { msgId: `msg-${account}`, conversationId: "cidX==" },
    receivedAt: 1,
  })

/** Gives each account a message it gave up on, while no bot runs; answers each letter's id in its account's store. */
const giveUp = {
  // One file for both accounts: ids come from one sequence.
  sqlite: (path: string): Record<Account, string> => {
    const database = new DatabaseSync(path)
    const insert = database.prepare(
      "INSERT INTO dead_letters (journal_id, frame, deliveries, dead_at, account) VALUES (?, ?, 6, ?, ?)",
    )
    const ids = Object.fromEntries(
      ACCOUNTS.map((account, index) => [
        account,
        String(insert.run("1", storedFrame(account), 1_000 * (index + 1), account).lastInsertRowid),
      ]),
    ) as Record<Account, string>
    database.close()
    return ids
  },
  // A stream per account: both letters given up in the same millisecond get the same id.
  redis: (redis: RedisServer): Record<Account, string> => {
    for (const account of ACCOUNTS)
      execFileSync("redis-cli", [
        "-p",
        String(redis.port),
        "-a",
        redis.password,
        "--no-auth-warning",
        "XADD",
        `openpollen:account:${account}:inbound:dead`,
        "1000-0",
        "frame",
        storedFrame(account),
        "journalId",
        "999-0",
        "deliveries",
        "6",
      ])
    return { sales: "1000-0", support: "1000-0" }
  },
}

describe.each(["sqlite", "redis"] as const)("dead letters of two accounts (%s store)", (store) => {
  const folder = mkdtempSync(join(tmpdir(), "openpollen-accounts-dead-"))
  const path = join(folder, "bot.sqlite")
  let sim: Simulator
  let redis: RedisServer | undefined
  let bot: BotProcess
  let env: Record<string, string>
  let ids: Record<Account, string>
  const config = () => ({
    ...accountsConfig(sim, [...ACCOUNTS]),
    store: store === "sqlite" ? { kind: "sqlite", path } : { kind: "redis", url: envRef("REDIS_URL") },
  })
  const start = async () => {
    const started = await startCli(config(), env)
    await started.waitFor(/dingtalk \(sales\): connected/, 30_000)
    await started.waitFor(/dingtalk \(support\): connected/, 30_000)
    return started
  }
  const cli = (args: ReadonlyArray<string>) =>
    runCli(bot.home, [...args, "--config", join(bot.home, "openpollen.json")], env)
  const listed = async () =>
    (await (await fetch(`${bot.gatewayUrl}/api/deadletters`)).json()) as {
      count: number
      deadLetters: ReadonlyArray<{ id: string; msgId?: string; account?: string }>
    }

  beforeAll(async () => {
    redis = store === "redis" ? await startRedisServer() : undefined
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
      ...(redis === undefined ? {} : { REDIS_URL: redis.url }),
    }
    if (redis === undefined) {
      // A first run creates the file.
      const first = await start()
      expect(await first.stop()).toBe(0)
      ids = giveUp.sqlite(path)
    } else ids = giveUp.redis(redis)
    bot = await start()
  })

  afterAll(async () => {
    await bot?.stop()
    await sim?.close()
    await redis?.stop()
    rmSync(folder, { recursive: true, force: true })
  })

  it("lists both with ids that name their account", async () => {
    const shown = await cli(["deadletters", "list"])
    expect(shown.code).toBe(0)
    expect(shown.stdout).toMatch(new RegExp(`^sales/${ids.sales} +msg-sales .* sales\\n`, "m"))
    expect(shown.stdout).toMatch(new RegExp(`^support/${ids.support} +msg-support .* support\\n`, "m"))
    expect(shown.stdout).toContain("2 dead letter(s)")
  })

  it("refuses a bare id, whichever account holds it, and changes nothing", async () => {
    const refused = await cli(["deadletters", "drop", ids.support])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`<account>/${ids.support}, the account one of sales, support`)
    expect((await cli(["deadletters", "retry", `nobody/${ids.support}`])).stderr).toContain(
      'no running account is named "nobody"',
    )
    expect((await listed()).count).toBe(2)
  })

  it("drops the letter of the account named, and only that one", async () => {
    expect((await cli(["deadletters", "drop", `support/${ids.support}`])).code).toBe(0)
    const after = await listed()
    expect(after.count).toBe(1)
    expect(after.deadLetters.map((letter) => [letter.id, letter.msgId, letter.account])).toEqual([
      [`sales/${ids.sales}`, "msg-sales", "sales"],
    ])
    expect((await cli(["deadletters", "drop", `support/${ids.support}`])).code).toBe(1)
  })
})
