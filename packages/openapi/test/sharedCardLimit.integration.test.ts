import { describe, expect, it } from "@effect/vitest"
import { makeMemoryRateWindow, type RateWindow, ReplyCard } from "@openpollen/core"
import { type Simulator, startSimulator } from "@openpollen/simulator"
import { Effect } from "effect"
import { afterAll, beforeAll } from "vitest"
import { openApiFor } from "./support.js"

const CARD_QPS = 5

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({ cardQps: CARD_QPS })
})
afterAll(async () => {
  await sim.close()
})

/** Two instances of one app, each with its own limiter, sending 20 card updates each at once. */
const twoInstancesStream = (cardRateWindow?: RateWindow["Service"]) =>
  Effect.gen(function* () {
    const group = sim.group({ title: "g", members: [] })
    const outTrackId = `shared-${Math.random().toString(36).slice(2)}`
    const overrides = { card: { qps: CARD_QPS }, ...(cardRateWindow === undefined ? {} : { cardRateWindow }) }
    const instances = [openApiFor(sim, overrides), openApiFor(sim, overrides)]
    yield* Effect.gen(function* () {
      const cards = yield* ReplyCard
      yield* cards.create({ outTrackId, space: { kind: "group", openConversationId: group.id } })
    }).pipe(Effect.provide(openApiFor(sim)))
    yield* Effect.sleep("1100 millis")
    sim.resetCounters()
    yield* Effect.forEach(
      instances,
      (instance) =>
        Effect.gen(function* () {
          const cards = yield* ReplyCard
          yield* Effect.forEach(
            Array.from({ length: 20 }, (_, index) => index),
            (index) => cards.stream(outTrackId, { content: `${index}` }).pipe(Effect.ignore),
            { concurrency: "unbounded", discard: true },
          )
        }).pipe(Effect.provide(instance)),
      { concurrency: "unbounded", discard: true },
    )
    return sim.cards.counters
  })

describe("OpenApi ReplyCard with a shared RateWindow", () => {
  it.live("two instances each told card.qps overrun the org limit on their own", () =>
    Effect.gen(function* () {
      const counters = yield* twoInstancesStream()
      expect(counters.throttled).toBeGreaterThan(0)
    }),
  )

  it.live("two instances sharing one window stay under card.qps together: no QpsLimit", () =>
    Effect.gen(function* () {
      const window = yield* makeMemoryRateWindow
      const counters = yield* twoInstancesStream(window)
      expect(counters).toMatchObject({ throttled: 0, updates: 40 })
      expect(counters.peakQps).toBeLessThanOrEqual(CARD_QPS)
    }),
  )
})
