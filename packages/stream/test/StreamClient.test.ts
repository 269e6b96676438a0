import { StreamClient } from "@openpollen/stream/internal"
import { DWClient } from "dingtalk-stream"
import { describe, expect, it } from "vitest"
import WebSocket from "ws"

/** Just enough of a ws socket for the SDK's writes; `readyState` decides whether anything is written. */
const fakeSocket = (readyState: number = WebSocket.OPEN) => {
  const written: Array<unknown> = []
  const socket = { readyState, send: (text: string) => written.push(JSON.parse(text)) }
  return { socket: socket as unknown as WebSocket, written }
}

// The subclass relies on these 2.1.5 internals; an SDK upgrade that moves one must fail here, not in production.
describe("dingtalk-stream internals StreamClient relies on", () => {
  it("a DWClient has its own `socket` field, which `send` writes to", () => {
    const client = new DWClient({ clientId: "id", clientSecret: "secret" })
    expect(Object.hasOwn(client, "socket")).toBe(true)
    const { socket, written } = fakeSocket()
    ;(client as unknown as { socket: WebSocket }).socket = socket
    client.send("m-1", { response: null })
    expect(written).toEqual([
      {
        code: 200,
        headers: { contentType: "application/json", messageId: "m-1" },
        message: "OK",
        data: '{"response":null}',
      },
    ])
  })

  it("onSystem answers a ping on `socket` with the same headers and data", () => {
    const client = new DWClient({ clientId: "id", clientSecret: "secret" })
    const { socket, written } = fakeSocket()
    ;(client as unknown as { socket: WebSocket }).socket = socket
    const headers = { topic: "ping", messageId: "p-1", contentType: "application/json", time: "1" }
    client.onSystem({ specVersion: "1.0", type: "SYSTEM", headers, data: '{"opaque":"o-1"}' } as never)
    expect(written).toEqual([{ code: 200, headers, message: "OK", data: '{"opaque":"o-1"}' }])
  })

  it("config.autoReconnect is writable and keepAlive stays off", () => {
    const client = new DWClient({ clientId: "id", clientSecret: "secret", keepAlive: false })
    client.config.autoReconnect = false
    expect(client.getConfig()).toMatchObject({ autoReconnect: false, keepAlive: false })
  })
})

describe("StreamClient", () => {
  it("writes ACKs and ping echoes to the socket it was given, and never holds the app secret", () => {
    const { socket, written } = fakeSocket()
    const client = new StreamClient("dingid", socket)
    expect(client.ackCallback("c-1")).toBe(true)
    client.ackEvent("e-1")
    client.echoPing({ type: "SYSTEM", headers: { topic: "ping", messageId: "p" }, data: "{}" } as never)
    expect(written).toMatchObject([
      { headers: { messageId: "c-1" }, data: '{"response":null}' },
      { headers: { messageId: "e-1" }, data: '{"status":"SUCCESS"}' },
      { headers: { messageId: "p" }, data: "{}" },
    ])
    expect(client.getConfig().clientSecret).toBe("unused")
    expect(client.config.autoReconnect).toBe(false)
  })

  it("writes nothing to a socket that is no longer open", () => {
    const { socket, written } = fakeSocket(WebSocket.CLOSING)
    const client = new StreamClient("dingid", socket)
    expect(client.ackCallback("c-1")).toBe(false)
    client.ackEvent("e-1")
    client.echoPing({ type: "SYSTEM", headers: { topic: "ping", messageId: "p" }, data: "{}" } as never)
    expect(written).toEqual([])
  })
})
