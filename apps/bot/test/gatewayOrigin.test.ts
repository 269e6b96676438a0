import { Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { ChannelStatus } from "../src/channel/ChannelStatus.js"
import { startGateway } from "../src/gateway/GatewayServer.js"
import { rawRequest } from "./support/rawRequest.js"

const status: ChannelStatus = {
  channel: "dingtalk",
  enabled: true,
  mode: "dingtalk",
  groupPolicy: "mention",
  connection: { _tag: "Connected", since: 0, lastFrameAt: 0 },
}

describe("gateway API against what a web page can send", () => {
  const sent: Array<string> = []
  let gateway: Awaited<ReturnType<typeof startGateway>>
  const json = { "content-type": "application/json", authorization: "Bearer local-token-1" }
  const message = JSON.stringify({ to: "cidX==", text: "from a page" })

  beforeAll(async () => {
    gateway = await startGateway(
      { host: "127.0.0.1", port: 0, token: Redacted.make("local-token-1") },
      {
        status: async () => status,
        send: async (to, body) => {
          sent.push(`${to}:${body.text}`)
          return { ok: true, detail: "sent" }
        },
      },
    )
    gateway.allowOrigin("http://127.0.0.1:18801/")
  })
  afterAll(() => gateway.close())

  it("answers 415 to a text/plain POST (no CORS preflight) and sends nothing", async () => {
    const response = await rawRequest(`${gateway.url}/api/messages`, {
      method: "POST",
      headers: { "content-type": "text/plain;charset=UTF-8", origin: "null" },
      body: message,
    })
    expect(response.status).not.toBe(200)
    const plain = await rawRequest(`${gateway.url}/api/messages`, {
      method: "POST",
      headers: { "content-type": "text/plain", authorization: "Bearer local-token-1" },
      body: message,
    })
    expect(plain.status).toBe(415)
    expect(sent).toEqual([])
  })

  it("refuses a Host that is not the gateway's (DNS rebinding)", async () => {
    const port = new URL(gateway.url).port
    for (const path of ["/api/status", "/health"])
      expect(
        (await rawRequest(`${gateway.url}${path}`, { headers: { host: `attacker.example:${port}` } })).status,
      ).toBe(421)
    const post = await rawRequest(`${gateway.url}/api/messages`, {
      method: "POST",
      headers: { ...json, host: "attacker.example" },
      body: message,
    })
    expect(post.status).toBe(421)
    expect(
      (await rawRequest(`${gateway.url}/api/status`, { headers: { host: `localhost:${port}` } })).status,
    ).toBe(200)
    expect(sent).toEqual([])
  })

  it("refuses a foreign Origin, and accepts its own and the sandbox page's", async () => {
    const port = new URL(gateway.url).port
    const foreign = await rawRequest(`${gateway.url}/api/messages`, {
      method: "POST",
      headers: { ...json, origin: "https://evil.example" },
      body: message,
    })
    expect(foreign.status).toBe(403)
    expect(
      (await rawRequest(`${gateway.url}/api/status`, { headers: { origin: "https://evil.example" } })).status,
    ).toBe(403)
    expect(sent).toEqual([])
    for (const origin of [`http://127.0.0.1:${port}`, "http://127.0.0.1:18801"])
      expect((await rawRequest(`${gateway.url}/api/status`, { headers: { origin } })).status).toBe(200)
  })

  it("requires the per-start token on POSTs; the scheme is case-insensitive", async () => {
    const missing = await rawRequest(`${gateway.url}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: message,
    })
    expect(missing.status).toBe(401)
    const longer = await rawRequest(`${gateway.url}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer local-token-1x" },
      body: message,
    })
    expect(longer.status).toBe(401)
    const ok = await rawRequest(`${gateway.url}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", authorization: "bearer local-token-1" },
      body: message,
    })
    expect(ok.status).toBe(200)
    expect(sent).toEqual(["cidX==:from a page"])
  })
})
