import { it } from "@effect/vitest"
import type { ConnectionState } from "@openpollen/core"
import {
  type Connection,
  type ConnectionEnd,
  emptyCounters,
  GatewayOpenError,
  superviseConnection,
} from "@openpollen/stream/internal"
import { Clock, Deferred, Effect, Fiber, Random, Scope } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"

/** How each attempt goes: fail at the gateway, hang, or open and end after `endAfterMs` (never, when absent). */
type Script =
  | { readonly fail: GatewayOpenError }
  | { readonly hang: true }
  | { readonly endAfterMs?: number; readonly end?: ConnectionEnd }

const closed: ConnectionEnd = { _tag: "Closed", code: 1006 }

const harness = (script: (attempt: number) => Script) =>
  Effect.gen(function* () {
    const attempts: Array<number> = []
    const open = new Set<number>()
    const ends: Array<Deferred.Deferred<ConnectionEnd>> = []
    const states: Array<ConnectionState> = []
    const counters = emptyCounters()
    const connect = Effect.gen(function* () {
      const id = attempts.length
      attempts.push(yield* Clock.currentTimeMillis)
      const step = script(id)
      if ("fail" in step) return yield* step.fail
      if ("hang" in step) return yield* Effect.never
      const scope = yield* Effect.scope
      open.add(id)
      yield* Scope.addFinalizer(
        scope,
        Effect.sync(() => open.delete(id)),
      )
      const ended = yield* Deferred.make<ConnectionEnd>()
      ends.push(ended)
      if (step.endAfterMs !== undefined)
        yield* Effect.forkScoped(
          Effect.sleep(step.endAfterMs).pipe(Effect.andThen(Deferred.succeed(ended, step.end ?? closed))),
        )
      return { openedAt: yield* Clock.currentTimeMillis, ended: Deferred.await(ended) } satisfies Connection
    })
    const fiber = yield* superviseConnection({
      connect,
      connectTimeoutMs: 15_000,
      idleTimeoutMs: 90_000,
      keepAliveMs: 15_000,
      backoff: { baseMs: 1_000, capMs: 60_000, healthyAfterMs: 30_000 },
      counters,
      setState: (state) => states.push(state),
    }).pipe(Effect.scoped, Effect.forkChild)
    yield* Effect.yieldNow
    /** Gaps between consecutive attempts, in ms. */
    const gaps = () => attempts.slice(1).map((at, index) => at - (attempts[index] ?? 0))
    return { attempts, gaps, open, ends, states, counters, fiber }
  })

/** random() = 0: every window is its lower bound, half the ceiling. */
const fixedRandom = Effect.provideService(Random.Random, {
  nextDoubleUnsafe: () => 0,
  nextIntUnsafe: () => 0,
})
const advance = (ms: number) => TestClock.adjust(ms)

describe("superviseConnection (TestClock)", () => {
  it.effect("a connection killed right after each handshake: the backoff holds and grows to the cap", () =>
    Effect.gen(function* () {
      const h = yield* harness(() => ({ endAfterMs: 0 }))
      yield* advance(10 * 60_000)
      expect(h.gaps().slice(0, 8)).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000])
      // 600 s at the cap is about 20 attempts, where a reset on every open would make one per handshake.
      expect(h.attempts.length).toBeLessThan(30)
      expect(h.states.some((state) => state._tag === "BackingOff")).toBe(true)
      yield* Fiber.interrupt(h.fiber)
    }).pipe(fixedRandom),
  )

  it.effect("only a connection that stayed up 30 s resets the backoff", () =>
    Effect.gen(function* () {
      // Four quick deaths, one connection that lives 30 s, then quick deaths again.
      const h = yield* harness((attempt) => ({ endAfterMs: attempt === 4 ? 30_000 : 0 }))
      yield* advance(120_000)
      expect(h.gaps().slice(0, 6)).toEqual([500, 1_000, 2_000, 4_000, 30_000, 500])
      yield* Fiber.interrupt(h.fiber)
    }).pipe(fixedRandom),
  )

  it.effect("a connection that outlived its backoff window is replaced at once, without widening it", () =>
    Effect.gen(function* () {
      const h = yield* harness(() => ({ endAfterMs: 5_000 }))
      yield* advance(60_000)
      expect(h.gaps()).toEqual(Array.from({ length: 12 }, () => 5_000))
      expect(h.counters.connects).toBe(13)
      yield* Fiber.interrupt(h.fiber)
    }).pipe(fixedRandom),
  )

  it.effect("retries rejected credentials at the cap", () =>
    Effect.gen(function* () {
      const rejected = new GatewayOpenError({ message: "gateway rejected the app credentials", status: 401 })
      const h = yield* harness(() => ({ fail: rejected }))
      yield* advance(3 * 60_000)
      expect(h.gaps()).toEqual([60_000, 60_000, 60_000])
      expect(h.states.at(-1)).toMatchObject({ _tag: "BackingOff", lastError: rejected.message })
      yield* Fiber.interrupt(h.fiber)
    }).pipe(fixedRandom),
  )

  it.effect("ends an attempt that hangs at the deadline, then tries again", () =>
    Effect.gen(function* () {
      const h = yield* harness((attempt): Script => (attempt === 0 ? { hang: true } : {}))
      yield* advance(14_999)
      expect(h.attempts).toHaveLength(1)
      yield* advance(1)
      expect(h.attempts).toHaveLength(2)
      expect(h.counters.lastError).toBe("connect attempt exceeded 15000 ms")
      expect(h.states.at(-1)?._tag).toBe("Connected")
      yield* Fiber.interrupt(h.fiber)
    }).pipe(fixedRandom),
  )

  it.effect("on SYSTEM disconnect, opens the replacement before closing the old connection", () =>
    Effect.gen(function* () {
      const h = yield* harness((attempt): Script => (attempt === 1 ? { hang: true } : {}))
      yield* advance(0)
      expect([...h.open]).toEqual([0])
      yield* Deferred.succeed(h.ends[0] as Deferred.Deferred<ConnectionEnd>, {
        _tag: "ServerDisconnect",
        reason: "connection is expired",
      })
      yield* advance(0)
      expect(h.attempts).toHaveLength(2)
      expect([...h.open]).toEqual([0])
      yield* advance(15_000)
      expect(h.attempts).toHaveLength(3)
      expect([...h.open]).toEqual([2])
      expect(h.counters.serverDisconnects).toBe(1)
      yield* Fiber.interrupt(h.fiber)
    }).pipe(fixedRandom),
  )

  it.effect("interrupting it closes the open connection and schedules nothing more", () =>
    Effect.gen(function* () {
      const h = yield* harness(() => ({}))
      yield* advance(0)
      expect(h.open.size).toBe(1)
      yield* Fiber.interrupt(h.fiber)
      expect(h.open.size).toBe(0)
      yield* advance(3_600_000)
      expect(h.attempts).toHaveLength(1)
    }).pipe(fixedRandom),
  )
})
