import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import type { ChannelStatus } from "../src/channel/ChannelStatus.js"
import { startGateway } from "../src/gateway/GatewayServer.js"
import { makeRedactor } from "../src/logging/redact.js"

const status: ChannelStatus = {
  channel: "dingtalk",
  enabled: true,
  mode: "dingtalk",
  groupPolicy: "mention",
  connection: { _tag: "Connected", since: 0, lastFrameAt: 0 },
}

describe("gateway API", () => {
  it("refuses to bind a non-loopback address without an API key", async () => {
    await expect(
      startGateway({ host: "0.0.0.0", port: 0, token: Redacted.make("t") }, { status: async () => status }),
    ).rejects.toThrow(/apiKey/)
  })

  it("answers 401 without the API key, and serves status, tests and sends with it", async () => {
    const sent: Array<string> = []
    const gateway = await startGateway(
      { host: "127.0.0.1", port: 0, apiKey: Redacted.make("k3y-value"), token: Redacted.make("t0ken") },
      {
        status: async () => status,
        test: async () => [{ step: "credentials", ok: true, detail: "ok" }],
        send: async (to, message) => {
          sent.push(`${to}:${message.text}`)
          return { ok: true, detail: "sent" }
        },
      },
    )
    try {
      expect((await fetch(`${gateway.url}/health`)).status).toBe(200)
      expect((await fetch(`${gateway.url}/api/status`)).status).toBe(401)
      expect(
        (await fetch(`${gateway.url}/api/status`, { headers: { authorization: "Bearer wrong" } })).status,
      ).toBe(401)
      const auth = { authorization: "Bearer k3y-value", "content-type": "application/json" }
      expect(await (await fetch(`${gateway.url}/api/status`, { headers: auth })).json()).toEqual({
        channels: [status],
        process: {
          uptimeSeconds: expect.any(Number),
          rssMb: expect.any(Number),
          heapUsedMb: expect.any(Number),
          activeResources: expect.objectContaining({ TCPServerWrap: expect.any(Number) }),
        },
      })
      const test = await fetch(`${gateway.url}/api/channels/dingtalk/test`, {
        method: "POST",
        headers: auth,
        body: "{}",
      })
      expect(test.status).toBe(200)
      const bad = await fetch(`${gateway.url}/api/messages`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ to: "" }),
      })
      expect(bad.status).toBe(400)
      const ok = await fetch(`${gateway.url}/api/messages`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ to: "cidX==", text: "hi" }),
      })
      expect(ok.status).toBe(200)
      expect(sent).toEqual(["cidX==:hi"])
    } finally {
      await gateway.close()
    }
  })
})

describe("log redaction", () => {
  it("masks registered secrets, webhook sessions and bearer tokens", () => {
    const redact = makeRedactor(["topsecret-value"])
    expect(
      redact(
        '{"x":"topsecret-value","url":"https://oapi.dingtalk.com/robot/sendBySession?session=abc123&y=1"}',
      ),
    ).toBe('{"x":"***","url":"https://oapi.dingtalk.com/robot/sendBySession?session=***&y=1"}')
    expect(redact("Authorization: Bearer abc.def")).toBe("Authorization: Bearer ***")
    expect(redact('{"clientSecret":"other"}')).toBe('{"clientSecret":"***"}')
    expect(redact('{"ticket":"t-123","endpoint":"wss://x"}')).toBe('{"ticket":"***","endpoint":"wss://x"}')
    expect(redact("x-acs-dingtalk-access-token: abc123, next")).toBe("x-acs-dingtalk-access-token: ***, next")
  })
})
