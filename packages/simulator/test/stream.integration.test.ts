import { type Simulator, startSimulator } from "@openpollen/simulator"
import { afterEach, describe, expect, it, vi } from "vitest"
import { SdkPeer, until } from "./support/SdkPeer.js"

let sim: Simulator | undefined
const peers: Array<SdkPeer> = []
vi.spyOn(console, "info").mockImplementation(() => {})
vi.spyOn(console, "warn").mockImplementation(() => {})

const start = async (options: Parameters<typeof startSimulator>[0] = {}) => {
  sim = await startSimulator(options)
  return sim
}
const peer = (simulator: Simulator, options: { autoReconnect?: boolean } = {}) => {
  const client = new SdkPeer(simulator.url, simulator.app, options)
  peers.push(client)
  return client
}

afterEach(async () => {
  for (const client of peers.splice(0)) client.disconnect()
  await sim?.close()
  sim = undefined
})

describe("the simulated Stream gateway, driven by the official SDK", () => {
  it("hands out a single-use ticket and accepts the WebSocket", async () => {
    const simulator = await start()
    const client = peer(simulator)
    await client.connect()
    await simulator.waitForConnections(1)
    expect(client.connected).toBe(true)
    expect(simulator.counters).toMatchObject({ gatewayOpens: 1, connectionsOpened: 1, liveConnections: 1 })
    expect(simulator.connections()[0]?.subscriptions).toEqual([
      { type: "CALLBACK", topic: "/v1.0/im/bot/messages/get" },
    ])
  })

  it("refuses bad credentials with 401 authFailed", async () => {
    const simulator = await start()
    const response = await fetch(`${simulator.url}/v1.0/gateway/connections/open`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ clientId: simulator.app.clientId, clientSecret: "wrong", subscriptions: [] }),
    })
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ code: "authFailed" })
    expect(simulator.counters.gatewayRejected).toBe(1)
  })

  it("refuses a reused or unknown ticket during the upgrade", async () => {
    const simulator = await start()
    const open = await fetch(`${simulator.url}/v1.0/gateway/connections/open`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...simulator.app, subscriptions: [] }),
    })
    const { endpoint, ticket } = (await open.json()) as { endpoint: string; ticket: string }
    const { WebSocket } = await import("ws")
    const attempt = (url: string) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(url)
        socket.on("open", () => {
          socket.close()
          resolve("open")
        })
        socket.on("unexpected-response", (_request, response) => resolve(String(response.statusCode)))
        socket.on("error", () => resolve("error"))
      })
    expect(await attempt(`${endpoint}?ticket=${encodeURIComponent(ticket)}`)).toBe("open")
    expect(await attempt(`${endpoint}?ticket=${ticket}`)).toBe("401")
    expect(await attempt(`${endpoint}?ticket=nope`)).toBe("401")
    expect(simulator.counters.upgradesRejected).toBe(2)
  })

  it("pings with an opaque value and checks the SDK's echo", async () => {
    const simulator = await start({ pingIntervalMs: 50 })
    await peer(simulator).connect()
    await until(() => simulator.counters.pingEchoes >= 2, 5_000, "ping echoes")
    expect(simulator.counters.badPingEchoes).toBe(0)
  })

  it("pushes callbacks in DingTalk's frame shape and records the ACK", async () => {
    const simulator = await start()
    const client = peer(simulator)
    await client.connect()
    const user = simulator.addUser({ nick: "王芳" })
    const delivery = await simulator.sendText(simulator.dm(user), user, "你好")
    await delivery.acked
    const frame = client.callbacks[0]
    expect(frame?.type).toBe("CALLBACK")
    expect(typeof frame?.headers.time).toBe("string")
    expect(typeof frame?.data).toBe("string")
    expect(JSON.parse(frame?.data ?? "{}")).toMatchObject({
      msgId: delivery.msgId,
      text: { content: "你好" },
    })
    expect(simulator.counters.acks).toBe(1)
    expect(simulator.counters.ackLatenciesMs).toHaveLength(1)
  })

  it("redelivers an un-ACKed callback with the same msgId and a new messageId", async () => {
    const simulator = await start({ redeliveryTimeoutMs: 100 })
    const client = peer(simulator)
    client.ack = false
    await client.connect()
    const user = simulator.addUser({ nick: "A" })
    const delivery = await simulator.sendText(simulator.dm(user), user, "hi")
    await until(() => client.callbacks.length >= 2, 5_000, "a redelivery")
    client.ack = true
    await delivery.acked
    const [first, second] = client.callbacks
    expect(JSON.parse(second?.data ?? "{}").msgId).toBe(JSON.parse(first?.data ?? "{}").msgId)
    expect(second?.headers.messageId).not.toBe(first?.headers.messageId)
    expect(simulator.counters.redeliveries).toBeGreaterThanOrEqual(1)
  })

  it("can reuse the messageId on redelivery, and stops after maxRedeliveries", async () => {
    const simulator = await start({
      redeliveryTimeoutMs: 50,
      reuseMessageIdOnRedelivery: true,
      maxRedeliveries: 2,
    })
    const client = peer(simulator)
    client.ack = false
    await client.connect()
    const user = simulator.addUser({ nick: "A" })
    await simulator.sendText(simulator.dm(user), user, "hi")
    await until(() => client.callbacks.length >= 3, 5_000, "two redeliveries")
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(client.callbacks).toHaveLength(3)
    expect(new Set(client.callbacks.map((frame) => frame.headers.messageId)).size).toBe(1)
  })

  it("sends SYSTEM disconnect, stops routing there, and closes the socket after the grace period", async () => {
    const simulator = await start({ disconnectGraceMs: 200 })
    const client = peer(simulator, { autoReconnect: true })
    await client.connect()
    await simulator.waitForConnections(1)
    simulator.disconnect()
    await until(
      () => client.systemFrames.some((frame) => frame.headers.topic === "disconnect"),
      2_000,
      "disconnect",
    )
    expect(JSON.parse(client.systemFrames.at(-1)?.data ?? "{}")).toEqual({ reason: "connection is expired" })
    await until(() => simulator.counters.connectionsOpened >= 2, 5_000, "the SDK to reconnect")
    const user = simulator.addUser({ nick: "B" })
    const delivery = await simulator.sendText(simulator.dm(user), user, "after rotation")
    await delivery.acked
    expect(client.callbacks.map((frame) => JSON.parse(frame.data).text.content)).toContain("after rotation")
  })

  it("kills a connection abruptly and routes each push to one live connection of several", async () => {
    const simulator = await start()
    const a = peer(simulator)
    const b = peer(simulator)
    await a.connect()
    await b.connect()
    await simulator.waitForConnections(2)
    const user = simulator.addUser({ nick: "C" })
    const deliveries = await Promise.all(
      Array.from({ length: 40 }, (_, index) => simulator.sendText(simulator.dm(user), user, `m${index}`)),
    )
    await Promise.all(deliveries.map((delivery) => delivery.acked))
    expect(a.callbacks.length + b.callbacks.length).toBe(40)
    expect(a.callbacks.length).toBeGreaterThan(0)
    expect(b.callbacks.length).toBeGreaterThan(0)
    const [first] = simulator.connections()
    simulator.kill(first?.id)
    await until(() => simulator.connections().length === 1, 2_000, "the kill")
  })

  it("delivers pushes made while no connection was up once one opens", async () => {
    const simulator = await start()
    const user = simulator.addUser({ nick: "D" })
    const delivery = await simulator.sendText(simulator.dm(user), user, "early")
    const client = peer(simulator)
    await client.connect()
    await delivery.acked
    expect(client.callbacks).toHaveLength(1)
  })

  it("applies connection faults: dropped ACKs and silent zombies", async () => {
    const simulator = await start({ redeliveryTimeoutMs: 100, pingIntervalMs: 30 })
    const client = peer(simulator)
    await client.connect()
    await simulator.waitForConnections(1)
    const id = simulator.connections()[0]?.id ?? ""
    simulator.setConnectionFault(id, { dropAcks: true })
    const user = simulator.addUser({ nick: "E" })
    await simulator.sendText(simulator.dm(user), user, "x")
    await until(() => client.callbacks.length >= 2, 5_000, "redelivery after a dropped ACK")
    simulator.setConnectionFault(id, { dropAcks: false, silent: true })
    const pingsBefore = simulator.counters.pingsSent
    const callbacksBefore = client.callbacks.length
    await simulator.sendText(simulator.dm(user), user, "into the void")
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(simulator.counters.pingsSent).toBe(pingsBefore)
    expect(client.callbacks.length).toBe(callbacksBefore)
  })

  it("can push malformed frames and refuse upgrades on demand", async () => {
    const simulator = await start()
    const client = peer(simulator)
    await client.connect()
    await simulator.waitForConnections(1)
    const received = new Promise<string>((resolve) => {
      const socket = (client as unknown as { socket: import("ws").WebSocket }).socket
      socket.prependListener("message", (raw) => resolve(raw.toString()))
    })
    const originalOnDownStream = client.onDownStream.bind(client)
    client.onDownStream = (data: string) => {
      try {
        originalOnDownStream(data)
      } catch {
        // the SDK's own onDownStream throws on a frame that is not JSON
      }
    }
    simulator.pushRawFrame("{not json")
    expect(await received).toBe("{not json")
    simulator.setFault("upgrade", { status: 503, times: 1 })
    const second = peer(simulator)
    await second.getEndpoint()
    await expect(second._connect()).rejects.toBeDefined()
    expect(simulator.counters.upgradesRejected).toBe(1)
  })
})
