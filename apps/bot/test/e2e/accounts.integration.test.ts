import { execFileSync } from "node:child_process"
import { join } from "node:path"
import { type RedisServer, startRedisServer } from "@openpollen/redis/testing"
import { type SimApp, type SimUser, type Simulator, startSimulator } from "@openpollen/simulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { ChannelStatus } from "../../src/channel/ChannelStatus.js"
import { runCli } from "../support/runCli.js"
import { accountsConfig, envRef } from "./harness/accountsConfig.js"
import { type BotProcess, startCli, until } from "./harness/BotProcess.js"

const channelStatus = async (bot: BotProcess): Promise<ChannelStatus> => {
  const body = (await (await fetch(`${bot.gatewayUrl}/api/status`)).json()) as {
    readonly channels: ReadonlyArray<ChannelStatus>
  }
  const [status] = body.channels
  if (status === undefined) throw new Error("the gateway API listed no channel")
  return status
}

/** A robot as another robot's message names it in atUsers. */
const robotAsUser = (app: SimApp): SimUser => ({ dingtalkId: app.chatbotUserId, nick: app.robotCode })

describe("two accounts in one process, one of them with a wrong secret", () => {
  let sim: Simulator
  let bot: BotProcess
  let good: SimApp
  let bad: SimApp
  let alice: SimUser
  const cli = (args: ReadonlyArray<string>) =>
    runCli(bot.home, [...args, "--config", join(bot.home, "openpollen.json")], {
      GOOD_ID: good.clientId,
      GOOD_SECRET: good.clientSecret,
      BAD_ID: bad.clientId,
      BAD_SECRET: "not-the-secret",
    })

  beforeAll(async () => {
    sim = await startSimulator({
      apps: [
        { clientId: "dinggoodapp000001", clientSecret: "good-app-secret" },
        { clientId: "dingbadapp0000002", clientSecret: "bad-app-real-secret" },
      ],
      pingIntervalMs: 1_000,
    })
    ;[good, bad] = sim.apps as [SimApp, SimApp]
    bot = await startCli(accountsConfig(sim, ["good", "bad"]), {
      GOOD_ID: good.clientId,
      GOOD_SECRET: good.clientSecret,
      BAD_ID: bad.clientId,
      BAD_SECRET: "not-the-secret",
    })
    await bot.waitFor(/dingtalk \(good\): connected/, 30_000)
    await bot.waitFor(/dingtalk \(bad\): not connected/, 30_000)
    alice = sim.addUser({ nick: "王芳" })
  })

  afterAll(async () => {
    const code = await bot?.stop()
    await sim?.close()
    expect(code).toBe(0)
  })

  it("the good account answers a DM and an @-mention in a group through its own robot", async () => {
    const dm = sim.dm(alice)
    await sim.sendText(dm, alice, "你好", { clientId: good.clientId })
    expect(await sim.nextReply(dm.id, { timeoutMs: 10_000 })).toMatchObject({
      clientId: good.clientId,
      text: "你好",
    })
    const group = sim.group({ title: "项目群", members: [alice] })
    await sim.sendText(group, alice, "在吗", { clientId: good.clientId })
    const reply = await sim.nextReply(group.id, { timeoutMs: 10_000 })
    expect(reply.clientId).toBe(good.clientId)
    expect(reply.text).toBe(`在吗\n\n@${alice.staffId}`)
  })

  it("the bad account shows its auth error in /api/status, /health and channel list; the process stays up", async () => {
    const status = await channelStatus(bot)
    expect(status.account).toBe("good")
    expect(status.connection?._tag).toBe("Connected")
    const badStatus = status.accounts?.bad
    // Between its slow retries it is Connecting for a moment; never Connected.
    expect(["BackingOff", "Connecting"]).toContain(badStatus?.connection?._tag)
    expect(badStatus?.stream?.lastError).toMatch(/401|auth|credential/i)
    expect(badStatus?.robotCode).toBe("dingb…002")
    expect(status.accounts?.good?.messages?.replied).toBeGreaterThanOrEqual(2)
    expect(badStatus?.messages?.received).toBe(0)

    const health = await fetch(`${bot.gatewayUrl}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({
      ok: true,
      dingtalk: "Connected",
      accounts: { good: "Connected", bad: expect.stringMatching(/^(BackingOff|Connecting)$/) },
    })

    const list = await cli(["channel", "list"])
    expect(list.code).toBe(0)
    expect(list.stdout).toMatch(/dingtalk +good .* connected since/)
    expect(list.stdout).toMatch(
      /dingtalk +bad .* (backing off|connecting \(last attempt): .*(401|auth|credential)/i,
    )
    expect(`${list.stdout}${list.stderr}`).not.toContain("not-the-secret")

    const testBad = await cli(["channel", "test", "dingtalk", "--account", "bad"])
    expect(testBad.code).toBe(1)
    expect(testBad.stdout).toMatch(/✘ bad +credentials +DingTalk rejected/)
    const testGood = await cli(["channel", "test", "dingtalk", "--account", "good"])
    expect(testGood.stdout).toMatch(/✔ good +credentials/)
    expect(testGood.code).toBe(0)
    expect((await cli(["channel", "test", "dingtalk", "--account", "nobody"])).code).toBe(2)

    const doctor = await cli(["doctor"])
    expect(doctor.code).toBe(1)
    expect(doctor.stdout).toMatch(/✔ credentials +account good: an access token was issued/)
    expect(doctor.stdout).toMatch(/✘ credentials +account bad: .*channels\.dingtalk\.accounts\.bad\.clientId/)
    expect(doctor.stdout).toMatch(/✔ stream +account good: connected since/)
    expect(doctor.stdout).toMatch(/✘ stream +account bad: not connected.*(401|auth|credential)/i)
    expect(`${doctor.stdout}${doctor.stderr}`).not.toContain("not-the-secret")

    expect(bot.output()).not.toContain("not-the-secret")
    // With several accounts every log line of an account names it.
    expect(bot.output()).toMatch(/DingTalk rejected the app credentials[^\n]*"account":"bad"/)
    expect(bot.output()).toMatch(/dingtalk \(good\): app dingg…001/)
    // Still serving after all of that.
    const dm = sim.dm(sim.addUser({ nick: "李雷" }))
    await sim.sendText(dm, dm.members[0] as SimUser, "还在吗", { clientId: good.clientId })
    expect((await sim.nextReply(dm.id, { timeoutMs: 10_000 })).text).toBe("还在吗")
  })
})

describe.each(["sqlite", "redis"] as const)(
  "a group message that @-mentions two robots of one process (%s store)",
  (store) => {
    let sim: Simulator
    let bot: BotProcess
    let redis: RedisServer | undefined

    beforeAll(async () => {
      redis = store === "redis" ? await startRedisServer() : undefined
      sim = await startSimulator({
        apps: [
          { clientId: "dingsalesapp00001", clientSecret: "sales-secret" },
          { clientId: "dingsupportapp002", clientSecret: "support-secret" },
        ],
      })
      const [sales, support] = sim.apps as [SimApp, SimApp]
      const base = accountsConfig(sim, ["sales", "support"])
      const { sales: salesAccount, support: supportAccount } = base.channels.dingtalk.accounts
      // sales answers every group message; support keeps the channel's default (mention).
      const config = {
        ...base,
        channels: {
          dingtalk: {
            ...base.channels.dingtalk,
            accounts: { sales: { ...salesAccount, groupPolicy: "all" }, support: supportAccount },
          },
        },
        store: redis === undefined ? { kind: "sqlite" } : { kind: "redis", url: envRef("REDIS_URL") },
      }
      bot = await startCli(config, {
        ...(redis === undefined ? {} : { REDIS_URL: redis.url }),
        SALES_ID: sales.clientId,
        SALES_SECRET: sales.clientSecret,
        SUPPORT_ID: support.clientId,
        SUPPORT_SECRET: support.clientSecret,
      })
      await bot.waitFor(/dingtalk \(sales\): connected/, 30_000)
      await bot.waitFor(/dingtalk \(support\): connected/, 30_000)
    })

    afterAll(async () => {
      const code = await bot?.stop()
      await sim?.close()
      await redis?.stop()
      expect(code).toBe(0)
    })

    it("gets one answer from each robot (both deliveries share the msgId)", async () => {
      const [sales, support] = sim.apps as [SimApp, SimApp]
      const alice = sim.addUser({ nick: "王芳" })
      const group = sim.group({ title: "售前售后群", members: [alice] })
      const first = await sim.sendText(group, alice, "两位都看一下", {
        clientId: sales.clientId,
        alsoMention: [robotAsUser(support)],
      })
      await sim.sendText(group, alice, "两位都看一下", {
        clientId: support.clientId,
        alsoMention: [robotAsUser(sales)],
        overrides: { msgId: first.msgId },
      })
      await until(() => sim.replies.filter((reply) => reply.conversationId === group.id).length >= 2, 10_000)
      await new Promise((resolve) => setTimeout(resolve, 500))
      const replies = sim.replies.filter((reply) => reply.conversationId === group.id)
      expect(replies.map((reply) => reply.clientId).sort()).toEqual([sales.clientId, support.clientId].sort())
      for (const reply of replies) expect(reply.text).toContain("两位都看一下")
      const status = await channelStatus(bot)
      expect(status.accounts?.sales?.messages?.duplicates).toBe(0)
      expect(status.accounts?.support?.messages?.duplicates).toBe(0)
      if (redis !== undefined)
        // Each robot journals what it receives in its own stream, so only it ever answers it after a crash.
        expect(redisKeys(redis, "openpollen:*inbound")).toEqual([
          "openpollen:account:sales:inbound",
          "openpollen:account:support:inbound",
        ])
    })

    it("each robot applies its own settings: only the one with groupPolicy all answers a message that mentions nobody", async () => {
      const [sales, support] = sim.apps as [SimApp, SimApp]
      const carol = sim.addUser({ nick: "赵敏" })
      const group = sim.group({ title: "闲聊群", members: [carol] })
      await sim.sendText(group, carol, "今天吃什么", { clientId: support.clientId, mention: false })
      await sim.sendText(group, carol, "今天吃什么", { clientId: sales.clientId, mention: false })
      expect((await sim.nextReply(group.id, { timeoutMs: 10_000 })).clientId).toBe(sales.clientId)
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(sim.replies.filter((reply) => reply.conversationId === group.id)).toHaveLength(1)
      expect((await channelStatus(bot)).accounts?.support?.messages?.ignored).toMatchObject({
        "not-mentioned": 1,
      })
    })

    it("one app revoked while running (its secret reset) backs off alone; the other robot keeps answering", async () => {
      const [sales, support] = sim.apps as [SimApp, SimApp]
      sim.rotateSecret("reset-in-the-console", support.clientId)
      for (const connection of sim.connections(support.clientId)) sim.kill(connection.id)
      // The connection ends first (1006); the reconnect is then refused for the reset secret.
      await bot.waitFor(/dingtalk \(support\): not connected: .*(401|auth|credential)/i, 30_000)
      // Between its slow retries it is Connecting for a moment; never Connected again.
      const status = await channelStatus(bot)
      expect(["BackingOff", "Connecting"]).toContain(status.accounts?.support?.connection?._tag)
      expect(status.accounts?.support?.stream?.lastError).toMatch(/401|auth|credential/i)
      expect(status.accounts?.sales?.connection?._tag).toBe("Connected")
      const health = (await (await fetch(`${bot.gatewayUrl}/health`)).json()) as {
        ok: boolean
        accounts: Record<string, string>
      }
      expect(health.ok).toBe(true)
      expect(health.accounts.sales).toBe("Connected")
      expect(["BackingOff", "Connecting"]).toContain(health.accounts.support)
      const bob = sim.addUser({ nick: "李雷" })
      const dm = sim.dm(bob)
      await sim.sendText(dm, bob, "还有人吗", { clientId: sales.clientId })
      expect(await sim.nextReply(dm.id, { timeoutMs: 10_000 })).toMatchObject({
        clientId: sales.clientId,
        text: "还有人吗",
      })
    })
  },
)

const redisKeys = (redis: RedisServer, pattern: string): ReadonlyArray<string> =>
  execFileSync(
    "redis-cli",
    ["-p", String(redis.port), "-a", redis.password, "--no-auth-warning", "KEYS", pattern],
    {
      encoding: "utf8",
    },
  )
    .split("\n")
    .filter((key) => key !== "")
    .sort()
