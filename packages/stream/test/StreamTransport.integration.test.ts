import { type InboundFrame, InboundJournal, InboundJournalError, Transport } from "@openpollen/core"
import { type Simulator, startSimulator } from "@openpollen/simulator"
import { StreamDiagnostics, StreamTransport, type StreamTransportConfig } from "@openpollen/stream"
import { Effect, Layer, Logger, ManagedRuntime, Redacted, Stream } from "effect"
import { afterEach, describe, expect, it } from "vitest"

const until = async (condition: () => boolean, timeoutMs = 5_000, what = "condition") => {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
const untilAsync = async (condition: () => Promise<boolean>, what: string, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const simulator = async (options: Parameters<typeof startSimulator>[0] = {}) => {
  const sim = await startSimulator(options)
  cleanups.push(() => sim.close())
  return sim
}

const connect = async (
  sim: Simulator,
  overrides: Partial<StreamTransportConfig> = {},
  journal?: InboundJournal["Service"],
) => {
  const logs: Array<string> = []
  const logger = Logger.layer([
    Logger.make(({ message }) => logs.push(String(Array.isArray(message) ? message.join(" ") : message))),
  ])
  const runtime = ManagedRuntime.make(
    StreamTransport.layer({
      clientId: sim.app.clientId,
      clientSecret: Redacted.make(sim.app.clientSecret),
      apiBase: sim.url,
      backoff: { baseMs: 100, capMs: 1_000 },
      connectTimeoutMs: 2_000,
      gatewayTimeoutMs: 1_000,
      ...overrides,
    }).pipe(
      Layer.provide(
        journal === undefined ? logger : Layer.merge(logger, Layer.succeed(InboundJournal, journal)),
      ),
    ),
  )
  let disposed = false
  const dispose = async () => {
    if (disposed) return
    disposed = true
    await runtime.dispose()
  }
  cleanups.push(dispose)
  const frames: Array<InboundFrame> = []
  const transport = await runtime.runPromise(
    Effect.gen(function* () {
      return yield* Transport
    }),
  )
  runtime.runFork(Stream.runForEach(transport.frames, (frame) => Effect.sync(() => frames.push(frame))))
  const diagnostics = () =>
    runtime.runPromise(
      Effect.gen(function* () {
        return yield* (yield* StreamDiagnostics).snapshot
      }),
    )
  const diagnosticsService = () =>
    runtime.runPromise(
      Effect.gen(function* () {
        return yield* StreamDiagnostics
      }),
    )
  const msgIds = () => frames.map((frame) => (frame.data as { msgId: string }).msgId)
  return { frames, msgIds, diagnostics, diagnosticsService, dispose, logs, transport }
}

describe("StreamTransport against the simulator", () => {
  it("connects, echoes pings, and delivers ACKed callbacks", async () => {
    const sim = await simulator({ pingIntervalMs: 50 })
    const bot = await connect(sim)
    await sim.waitForConnections(1)
    await until(() => sim.counters.pingEchoes >= 2, 5_000, "ping echoes")
    const user = sim.addUser({ nick: "A" })
    const delivery = await sim.sendText(sim.dm(user), user, "hello")
    await delivery.acked
    await until(() => bot.frames.length === 1, 5_000, "the frame")
    expect(bot.msgIds()).toEqual([delivery.msgId])
    expect(sim.counters.acks).toBe(1)
    expect((await bot.diagnostics()).state._tag).toBe("Connected")
    expect(sim.counters.badPingEchoes).toBe(0)
  })

  it("hands a redelivery (ACK dropped) to the stream again with the same msgId", async () => {
    const sim = await simulator({ redeliveryTimeoutMs: 200 })
    const bot = await connect(sim)
    await sim.waitForConnections(1)
    sim.setConnectionFault(sim.connections()[0]?.id ?? "", { dropAcks: true })
    const user = sim.addUser({ nick: "A" })
    const delivery = await sim.sendText(sim.dm(user), user, "hi")
    await until(() => bot.frames.length >= 2, 5_000, "the redelivery")
    expect(bot.msgIds().slice(0, 2)).toEqual([delivery.msgId, delivery.msgId])
    expect(bot.frames[0]?.frameMessageId).not.toBe(bot.frames[1]?.frameMessageId)
  })

  it("with an InboundJournal, ACKs a callback only once the journal has recorded it", async () => {
    const sim = await simulator({ redeliveryTimeoutMs: 300 })
    let attempts = 0
    const bot = await connect(
      sim,
      {},
      {
        record: (frame) =>
          Effect.suspend(() => {
            attempts += 1
            return attempts === 1
              ? Effect.fail(new InboundJournalError({ message: "redis down" }))
              : Effect.succeed({ ...frame, journalId: `j-${attempts}` })
          }),
        noteCard: () => Effect.void,
        noteMedia: () => Effect.void,
        settle: () => Effect.void,
        release: () => Effect.void,
        orphans: Stream.empty,
      },
    )
    await sim.waitForConnections(1)
    const user = sim.addUser({ nick: "A" })
    const delivery = await sim.sendText(sim.dm(user), user, "hi")
    await delivery.acked
    await until(() => bot.frames.length === 1, 5_000, "the recorded frame")
    expect(attempts).toBe(2)
    expect(sim.counters.redeliveries).toBe(1)
    expect(bot.frames[0]).toMatchObject({ journalId: "j-2", data: { msgId: delivery.msgId } })
    expect(bot.logs.join("\n")).toContain("could not record a callback")
  })

  it("reconnects after an abrupt termination", async () => {
    const sim = await simulator()
    const bot = await connect(sim)
    await sim.waitForConnections(1)
    sim.kill()
    await until(
      () => sim.counters.connectionsOpened === 2 && sim.connections().length === 1,
      5_000,
      "a new connection",
    )
    const user = sim.addUser({ nick: "A" })
    await (await sim.sendText(sim.dm(user), user, "after kill")).acked
    await until(() => bot.frames.length === 1, 5_000, "delivery after the kill")
  })

  it("opens the new connection before the old one closes after SYSTEM disconnect (gap under 1 s)", async () => {
    const sim = await simulator({ disconnectGraceMs: 10_000 })
    const bot = await connect(sim)
    await sim.waitForConnections(1)
    const started = Date.now()
    sim.disconnect()
    const user = sim.addUser({ nick: "A" })
    const delivery = await sim.sendText(sim.dm(user), user, "right after the disconnect")
    await delivery.acked
    await until(() => bot.frames.length === 1, 5_000, "the message")
    const gap = Date.now() - started
    expect(gap).toBeLessThan(1_000)
    expect(sim.counters.connectionsOpened).toBe(2)
    await until(() => sim.connections().length === 1, 2_000, "the old connection to be dropped by the bot")
  })

  it("backs off under gateway 5xx (no storm) and recovers quickly once it returns", async () => {
    const sim = await simulator()
    await connect(sim)
    await sim.waitForConnections(1)
    sim.setFault("gateway", { status: 503 })
    const opensBefore = sim.counters.gatewayOpens
    sim.kill()
    await sleep(3_000)
    const attempts = sim.counters.gatewayOpens - opensBefore
    expect(attempts).toBeGreaterThanOrEqual(3)
    expect(attempts).toBeLessThanOrEqual(12)
    sim.clearFault("gateway")
    const returned = Date.now()
    await sim.waitForConnections(1, { timeoutMs: 5_000 })
    expect(Date.now() - returned).toBeLessThan(2_000)
  })

  it("reports bad credentials once, secret-free, and retries at the cap instead of every second", async () => {
    const sim = await simulator()
    const bot = await connect(sim, { clientSecret: Redacted.make("definitely-wrong-secret") })
    await sleep(2_500)
    expect(sim.counters.gatewayRejected).toBeGreaterThanOrEqual(1)
    expect(sim.counters.gatewayRejected).toBeLessThanOrEqual(3)
    const state = (await bot.diagnostics()).state
    expect(state).toMatchObject({ _tag: "BackingOff" })
    expect(bot.logs.filter((line) => line.includes("rejected the app credentials"))).toHaveLength(1)
    expect(bot.logs.join("\n")).not.toContain("definitely-wrong-secret")
  })

  it("ends a hanging upgrade with the attempt deadline and connects on the next attempt", async () => {
    const sim = await simulator()
    sim.setFault("upgrade", { hang: true, times: 1 })
    await connect(sim, { connectTimeoutMs: 800, gatewayTimeoutMs: 500 })
    await sim.waitForConnections(1, { timeoutMs: 5_000 })
    expect(sim.counters.gatewayOpens).toBe(2)
  })

  it("replaces a silent zombie connection when the idle watchdog fires", async () => {
    const sim = await simulator({ pingIntervalMs: 100 })
    const bot = await connect(sim, { idleTimeoutMs: 400 })
    await sim.waitForConnections(1)
    sim.setConnectionFault(sim.connections()[0]?.id ?? "", { silent: true })
    await until(() => sim.counters.connectionsOpened >= 2, 5_000, "the watchdog to replace the zombie")
    expect((await bot.diagnostics()).counters.watchdogKills).toBeGreaterThanOrEqual(1)
  })

  it("finds a dead peer with its own ping within about two keep-alive periods, long before the idle watchdog", async () => {
    const sim = await simulator({ pingIntervalMs: 0 })
    const bot = await connect(sim, { keepAliveMs: 300, idleTimeoutMs: 60_000 })
    await sim.waitForConnections(1)
    const started = Date.now()
    sim.setConnectionFault(sim.connections()[0]?.id ?? "", { unresponsive: true })
    await until(
      () => sim.counters.connectionsOpened >= 2,
      5_000,
      "the keep-alive to replace the dead connection",
    )
    expect(Date.now() - started).toBeLessThan(1_500)
    const { counters } = await bot.diagnostics()
    expect(counters).toMatchObject({ keepAliveKills: 1, watchdogKills: 0 })
    expect(bot.logs.join("\n")).toContain("did not answer our ping")
  })

  it("keeps a quiet but answering connection (pongs count, frames are not needed)", async () => {
    const sim = await simulator({ pingIntervalMs: 0 })
    const bot = await connect(sim, { keepAliveMs: 100, idleTimeoutMs: 60_000 })
    await sim.waitForConnections(1)
    await sleep(1_000)
    expect(sim.counters.connectionsOpened).toBe(1)
    expect((await bot.diagnostics()).counters.keepAliveKills).toBe(0)
  })

  it("replaces the connection on a frame over the size cap, without crashing, and keeps delivering", async () => {
    const sim = await simulator()
    const bot = await connect(sim, { maxFrameBytes: 64 * 1024 })
    await sim.waitForConnections(1)
    sim.pushRawFrame(
      JSON.stringify({ type: "SYSTEM", headers: { topic: "huge" }, data: "x".repeat(100 * 1024) }),
    )
    await until(() => sim.counters.connectionsOpened >= 2, 5_000, "a replacement connection")
    const user = sim.addUser({ nick: "A" })
    await (await sim.sendText(sim.dm(user), user, "after the oversized frame")).acked
    await until(() => bot.frames.length === 1, 5_000, "delivery after the oversized frame")
    expect((await bot.diagnostics()).counters.oversizedFrames).toBe(1)
    expect(bot.logs.join("\n")).toContain("over the size cap")
  })

  it("uses ws's private _socket for corked ACKs (pinned: a ws upgrade that moves it must fail here)", async () => {
    const sim = await simulator()
    const { default: WebSocket } = await import("ws")
    const response = await fetch(`${sim.url}/v1.0/gateway/connections/open`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        clientId: sim.app.clientId,
        clientSecret: sim.app.clientSecret,
        subscriptions: [],
      }),
    })
    const { endpoint, ticket } = (await response.json()) as { endpoint: string; ticket: string }
    const socket = new WebSocket(`${endpoint}?ticket=${ticket}`)
    await new Promise((resolve) => socket.once("open", resolve))
    const tcp = (socket as unknown as { _socket?: { cork?: unknown; uncork?: unknown } })._socket
    expect(typeof tcp?.cork).toBe("function")
    expect(typeof tcp?.uncork).toBe("function")
    socket.terminate()
  })

  it("survives malformed frames", async () => {
    const sim = await simulator()
    const bot = await connect(sim)
    await sim.waitForConnections(1)
    for (const raw of [
      "{not json",
      "[]",
      '{"type":"CALLBACK"}',
      '{"type":"CALLBACK","headers":{"topic":"/v1.0/im/bot/messages/get","messageId":"x"},"data":"{oops"}',
    ])
      sim.pushRawFrame(raw)
    const user = sim.addUser({ nick: "A" })
    await (await sim.sendText(sim.dm(user), user, "still alive")).acked
    await until(() => bot.frames.length === 1, 5_000, "a good frame after the bad ones")
    expect((await bot.diagnostics()).counters.badFrames).toBe(4)
  })

  it("leaves no connection, timer or reconnect behind once stopped", async () => {
    const sim = await simulator()
    const bot = await connect(sim, { idleTimeoutMs: 60_000 })
    await sim.waitForConnections(1)
    await untilAsync(
      async () => (await bot.diagnostics()).state._tag === "Connected",
      "the bot to see the connection",
    )
    expect((await bot.diagnostics()).openSockets).toBe(1)
    const diagnostics = await bot.diagnosticsService()
    await bot.dispose()
    const after = Effect.runSync(diagnostics.snapshot)
    expect(after.openSockets).toBe(0)
    expect(after.state._tag).toBe("Stopped")
    await until(() => sim.connections().length === 0, 2_000, "the connection to close")
    const opens = sim.counters.gatewayOpens
    await sleep(1_500)
    expect(sim.counters.gatewayOpens).toBe(opens)
    expect(sim.counters.liveConnections).toBe(0)
  })
})
