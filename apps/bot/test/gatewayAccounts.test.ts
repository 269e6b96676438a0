import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import type { AccountStatus, ChannelStatus } from "../src/channel/ChannelStatus.js"
import { startGateway } from "../src/gateway/GatewayServer.js"

const account = (name: string, connection: AccountStatus["connection"]): AccountStatus => ({
  account: name,
  enabled: true,
  mode: "dingtalk",
  groupPolicy: "mention",
  ...(connection === undefined ? {} : { connection }),
})
const connected = { _tag: "Connected", since: 0, lastFrameAt: 0 } as const
const backingOff = { _tag: "BackingOff", attempt: 3, retryAt: 0, lastError: "authFailed" } as const

const channelOf = (accounts: ReadonlyArray<AccountStatus>): ChannelStatus => ({
  channel: "dingtalk",
  ...(accounts[0] as AccountStatus),
  accounts: Object.fromEntries(accounts.map((each) => [each.account ?? "", each])),
})

const withGateway = async (
  accounts: ReadonlyArray<AccountStatus>,
  use: (url: string, post: (path: string, body: unknown) => Promise<Response>) => Promise<void>,
) => {
  const names = accounts.map((each) => each.account)
  const gateway = await startGateway(
    { host: "127.0.0.1", port: 0, token: Redacted.make("t0ken") },
    {
      status: async () => channelOf(accounts),
      test: async (_to, name) =>
        name !== undefined && !names.includes(name)
          ? undefined
          : [{ step: "stream", ok: true, detail: name ?? "all" }],
      send: async (to, _message, name) =>
        name !== undefined && !names.includes(name)
          ? undefined
          : { ok: true, detail: `${name ?? "first"}:${to}` },
    },
  )
  try {
    await use(gateway.url, (path, body) =>
      fetch(`${gateway.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer t0ken" },
        body: JSON.stringify(body),
      }),
    )
  } finally {
    await gateway.close()
  }
}

describe("the gateway API with several accounts", () => {
  it("/health is ok while one account is connected, and lists each account's state", async () => {
    await withGateway([account("sales", backingOff), account("support", connected)], async (url) => {
      const health = await fetch(`${url}/health`)
      expect(health.status).toBe(200)
      expect(await health.json()).toEqual({
        ok: true,
        dingtalk: "Connected",
        accounts: { sales: "BackingOff", support: "Connected" },
      })
    })
  })

  it("/health is not ok when no account is connected", async () => {
    await withGateway([account("sales", backingOff), account("support", undefined)], async (url) => {
      expect(await (await fetch(`${url}/health`)).json()).toEqual({
        ok: false,
        dingtalk: "BackingOff",
        accounts: { sales: "BackingOff", support: "dingtalk" },
      })
    })
  })

  it("keeps the single-account /health answer as it was", async () => {
    await withGateway([account("default", connected)], async (url) => {
      expect(await (await fetch(`${url}/health`)).json()).toEqual({ ok: true, dingtalk: "Connected" })
    })
  })

  it("tests and sends from the account named, and answers 404 for an account it does not have", async () => {
    await withGateway([account("sales", connected), account("support", connected)], async (_url, post) => {
      const tested = await post("/api/channels/dingtalk/test", { account: "support" })
      expect(await tested.json()).toEqual({ steps: [{ step: "stream", ok: true, detail: "support" }] })
      const sent = await post("/api/messages", { to: "cidX==", text: "hi", account: "sales" })
      expect(await sent.json()).toEqual({ ok: true, detail: "sales:cidX==" })
      const unknown = await post("/api/channels/dingtalk/test", { account: "nobody" })
      expect(unknown.status).toBe(404)
      expect(((await unknown.json()) as { error: string }).error).toContain('"nobody"')
      expect((await post("/api/messages", { to: "cidX==", text: "hi", account: "nobody" })).status).toBe(404)
    })
  })
})
