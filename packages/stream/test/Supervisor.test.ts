import { it } from "@effect/vitest"
import type { ConnectionState } from "@openpollen/core"
import {
  type ConnectionClient,
  effectTimers,
  GatewayOpenError,
  type StreamClientHooks,
  Supervisor,
  type SupervisorEvent,
  type Timers,
} from "@openpollen/stream"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"

interface Deferred {
  readonly promise: Promise<void>
  resolve: () => void
  reject: (error: unknown) => void
}
const deferred = (): Deferred => {
  const handle = { resolve: () => {}, reject: (_: unknown) => {} } as Deferred
  const promise = new Promise<void>((resolve, reject) => {
    handle.resolve = resolve
    handle.reject = reject
  })
  promise.catch(() => {})
  return { ...handle, promise }
}

/** A connection whose gateway call and handshake the test settles by hand; terminate behaves like the real one. */
class FakeClient implements ConnectionClient {
  readonly endpoint = deferred()
  readonly socket = deferred()
  terminated = false
  private opened = false
  constructor(readonly hooks: StreamClientHooks) {}
  getEndpoint() {
    return this.endpoint.promise
  }
  _connect() {
    return this.socket.promise
  }
  open() {
    this.opened = true
    this.endpoint.resolve()
    this.socket.resolve()
  }
  failGateway(error: unknown) {
    this.endpoint.reject(error)
  }
  terminate() {
    if (this.terminated) return
    this.terminated = true
    this.endpoint.reject(new Error("terminated"))
    this.socket.reject(new Error("terminated"))
    if (this.opened) this.hooks.onClosed()
  }
}

/** Counts timers still pending, so a test can assert that stopping leaves none behind. */
const countingTimers = (inner: Timers) => {
  const pending = new Set<unknown>()
  const timers: Timers = {
    now: inner.now,
    setTimeout: (run, ms) => {
      const box: { handle?: unknown } = {}
      box.handle = inner.setTimeout(() => {
        pending.delete(box)
        run()
      }, ms)
      pending.add(box)
      return box
    },
    clearTimeout: (box) => {
      if (box === undefined) return
      pending.delete(box)
      inner.clearTimeout((box as { handle?: unknown }).handle)
    },
  }
  return { timers, pending }
}

const flush = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 0)))
const advance = (ms: number) => Effect.andThen(TestClock.adjust(ms), flush)

const harness = Effect.gen(function* () {
  const context = yield* Effect.context<never>()
  const { timers, pending } = countingTimers(effectTimers(context))
  const clients: Array<FakeClient> = []
  const states: Array<ConnectionState> = []
  const events: Array<SupervisorEvent> = []
  const delivered: Array<string> = []
  const supervisor = new Supervisor({
    clientId: "id",
    clientSecret: "secret",
    apiBase: "http://127.0.0.1:1",
    gatewayTimeoutMs: 10_000,
    userAgent: "t",
    connectTimeoutMs: 15_000,
    idleTimeoutMs: 90_000,
    backoffBaseMs: 1_000,
    backoffCapMs: 60_000,
    random: () => 0,
    timers,
    makeClient: (_options, hooks) => {
      const client = new FakeClient(hooks)
      clients.push(client)
      return client
    },
    onCallback: (id) => delivered.push(id),
    onState: (state) => states.push(state),
    onEvent: (event) => events.push(event),
  })
  const last = () => {
    const client = clients.at(-1)
    if (client === undefined) throw new Error("no client yet")
    return client
  }
  return { supervisor, clients, states, events, delivered, pending, last }
})

describe("Supervisor (TestClock)", () => {
  it.effect("backs off exponentially with jitter, capped, and resets once connected", () =>
    Effect.gen(function* () {
      const h = yield* harness
      h.supervisor.start()
      // random() = 0 gives the lower bound of each window: ceiling / 2.
      const expected = [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]
      for (const delay of expected) {
        const before = h.clients.length
        h.last().failGateway(new Error("HTTP 503"))
        yield* flush
        yield* advance(delay - 1)
        expect(h.clients.length).toBe(before)
        yield* advance(1)
        expect(h.clients.length).toBe(before + 1)
      }
      h.last().open()
      yield* flush
      expect(h.states.at(-1)?._tag).toBe("Connected")
      h.last().terminate()
      yield* flush
      const afterClose = h.clients.length
      h.last().failGateway(new Error("HTTP 503"))
      yield* flush
      yield* advance(500)
      expect(h.clients.length).toBe(afterClose + 1)
      h.supervisor.stop()
    }),
  )

  it.effect("never has two attempts in flight", () =>
    Effect.gen(function* () {
      const h = yield* harness
      h.supervisor.start()
      h.last().open()
      yield* flush
      const connected = h.last()
      connected.hooks.onServerDisconnect("rotate")
      connected.hooks.onServerDisconnect("rotate")
      yield* flush
      expect(h.clients.length).toBe(2)
      connected.hooks.onClosed()
      yield* advance(10_000)
      expect(h.clients.length).toBe(2)
      h.supervisor.stop()
    }),
  )

  it.effect("retries rejected credentials at the cap and reports them once", () =>
    Effect.gen(function* () {
      const h = yield* harness
      h.supervisor.start()
      for (let attempt = 1; attempt <= 3; attempt++) {
        h.last().failGateway(new GatewayOpenError(401, "authFailed", "gateway rejected the app credentials"))
        yield* flush
        yield* advance(59_999)
        expect(h.clients.length).toBe(attempt)
        yield* advance(1)
        expect(h.clients.length).toBe(attempt + 1)
      }
      const errors = h.events.filter((event) => event.level === "error")
      expect(errors).toHaveLength(1)
      expect(JSON.stringify(h.events)).not.toContain("secret")
      expect(h.states.at(-2)).toMatchObject({
        _tag: "BackingOff",
        lastError: "gateway rejected the app credentials",
      })
      h.supervisor.stop()
    }),
  )

  it.effect("ends an attempt that hangs at the deadline and backs off", () =>
    Effect.gen(function* () {
      const h = yield* harness
      h.supervisor.start()
      const hanging = h.last()
      yield* advance(14_999)
      expect(hanging.terminated).toBe(false)
      yield* advance(1)
      expect(hanging.terminated).toBe(true)
      expect(h.states.at(-1)).toMatchObject({
        _tag: "BackingOff",
        lastError: "connect attempt exceeded 15000 ms",
      })
      yield* advance(500)
      expect(h.clients.length).toBe(2)
      h.supervisor.stop()
    }),
  )

  it.effect("kills a connection that stays silent past the idle timeout; any frame re-arms it", () =>
    Effect.gen(function* () {
      const h = yield* harness
      h.supervisor.start()
      h.last().open()
      yield* flush
      const first = h.last()
      yield* advance(80_000)
      first.hooks.onFrame()
      yield* advance(80_000)
      expect(first.terminated).toBe(false)
      yield* advance(10_000)
      expect(first.terminated).toBe(true)
      expect(h.supervisor.counters.watchdogKills).toBe(1)
      expect(h.clients.length).toBe(2)
      h.supervisor.stop()
    }),
  )

  it.effect("opens the replacement before dropping the old connection on SYSTEM disconnect", () =>
    Effect.gen(function* () {
      const h = yield* harness
      h.supervisor.start()
      h.last().open()
      yield* flush
      const old = h.last()
      old.hooks.onServerDisconnect("connection is expired")
      yield* flush
      const replacement = h.last()
      expect(replacement).not.toBe(old)
      expect(old.terminated).toBe(false)
      old.hooks.onCallback("late-on-old", "{}", () => {})
      expect(h.delivered).toEqual(["late-on-old"])
      replacement.open()
      yield* flush
      expect(old.terminated).toBe(true)
      expect(h.clients.length).toBe(2)
      expect(h.supervisor.counters.serverDisconnects).toBe(1)
      h.supervisor.stop()
    }),
  )

  it.effect("stopping leaves no timer, socket or pending reconnect", () =>
    Effect.gen(function* () {
      const h = yield* harness
      h.supervisor.start()
      h.last().failGateway(new Error("HTTP 503"))
      yield* flush
      expect(h.pending.size).toBe(1)
      h.supervisor.stop()
      expect(h.pending.size).toBe(0)
      yield* advance(3_600_000)
      expect(h.clients.length).toBe(1)
      expect(h.states.at(-1)?._tag).toBe("Stopped")

      const connectedCase = yield* harness
      connectedCase.supervisor.start()
      connectedCase.last().open()
      yield* flush
      connectedCase.supervisor.stop()
      expect(connectedCase.last().terminated).toBe(true)
      expect(connectedCase.pending.size).toBe(0)
      yield* advance(3_600_000)
      expect(connectedCase.clients.length).toBe(1)
    }),
  )
})
