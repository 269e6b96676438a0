import { describe, expect, it } from "@effect/vitest"
import { replyCardContract } from "@openpollen/contracts"
import { ReplyCard } from "@openpollen/core"
import { probeCardScopes, resolveOpenApiConfig } from "@openpollen/openapi"
import { type Simulator, startSimulator } from "@openpollen/simulator"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll } from "vitest"
import { openApiFor } from "./support.js"

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({ cardQps: 1_000 })
})
afterAll(async () => {
  await sim.close()
})

replyCardContract("OpenApi ReplyCard against the simulator", () => ({
  layer: openApiFor(sim),
  unknownTemplateLayer: openApiFor(sim, { card: { templateId: "no-such-template.schema" } }),
  group: async () => sim.group({ title: "g", members: [] }).id,
  user: async () => sim.addUser({ nick: "u" }).staffId ?? "",
  unreachableUser: async () => "staff-not-in-org",
  card: async (outTrackId) => {
    const card = sim.cards.get(outTrackId)
    return card === undefined
      ? undefined
      : {
          content: card.params.content ?? "",
          finalized: card.finalizedAt !== undefined,
          error: card.flowStatus === "FAILED",
          updates: card.updates.length,
        }
  },
  denyStreamingOnce: async () => sim.setFault("cardStreaming", { permissionDenied: true, times: 1 }),
  throttleOnce: async () => sim.setFault("cardStreaming", { throttle: true, times: 1 }),
}))

describe("OpenApi ReplyCard", () => {
  it.live("sends the configured template and content key, and every body field DingTalk checks", () =>
    Effect.gen(function* () {
      sim.cards.addTemplate("custom.schema")
      const group = sim.group({ title: "g", members: [] })
      const cards = yield* ReplyCard
      yield* cards.create({ outTrackId: "custom-1", space: { kind: "group", openConversationId: group.id } })
      yield* cards.finalize("custom-1", { content: "done", error: false })
      expect(sim.cards.get("custom-1")).toMatchObject({
        templateId: "custom.schema",
        openSpaceId: `dtv1.card//IM_GROUP.${group.id}`,
        params: { answer: "done" },
        flowStatus: "FINISHED",
      })
    }).pipe(Effect.provide(openApiFor(sim, { card: { templateId: "custom.schema", contentKey: "answer" } }))),
  )

  it.live("holds every card of the app back for a second after a QpsLimit answer", () =>
    Effect.gen(function* () {
      const group = sim.group({ title: "g", members: [] })
      const cards = yield* ReplyCard
      yield* cards.create({ outTrackId: "qps-1", space: { kind: "group", openConversationId: group.id } })
      sim.setFault("cardStreaming", { throttle: true, times: 1 })
      const throttled = yield* cards.stream("qps-1", { content: "a" }).pipe(Effect.flip)
      const began = Date.now()
      yield* cards.stream("qps-1", { content: "ab" })
      expect(Date.now() - began).toBeGreaterThanOrEqual((throttled.retryAfterMs ?? 0) - 20)
      expect(throttled.retryAfterMs).toBeGreaterThanOrEqual(1_000)
      expect(sim.cards.get("qps-1")?.params.content).toBe("ab")
    }).pipe(Effect.provide(openApiFor(sim))),
  )

  it.live("keeps 60 concurrent card calls under the configured card QPS", () =>
    Effect.gen(function* () {
      const group = sim.group({ title: "g", members: [] })
      const cards = yield* ReplyCard
      yield* cards.create({ outTrackId: "rate-1", space: { kind: "group", openConversationId: group.id } })
      yield* Effect.sleep("1100 millis") // the simulator's window forgets the other tests' calls
      sim.resetCounters()
      const began = Date.now()
      yield* Effect.forEach(
        Array.from({ length: 60 }, (_, index) => index),
        (index) => cards.stream("rate-1", { content: `${index}` }),
        { concurrency: "unbounded", discard: true },
      )
      expect(Date.now() - began).toBeGreaterThanOrEqual(1_900)
      expect(sim.cards.counters).toMatchObject({ updates: 60, throttled: 0 })
      expect(sim.cards.counters.peakQps).toBeLessThanOrEqual(20)
    }).pipe(Effect.provide(openApiFor(sim, { card: { qps: 20 } }))),
  )

  it.live("probes the card scopes without creating a card, and names what is missing", () => {
    const config = (templateId?: string) =>
      resolveOpenApiConfig({
        clientId: sim.app.clientId,
        clientSecret: Redacted.make(sim.app.clientSecret),
        apiBase: sim.url,
        ...(templateId === undefined ? {} : { card: { templateId } }),
      })
    return Effect.gen(function* () {
      const cardsBefore = sim.cards.all.length
      expect(yield* probeCardScopes(config())).toEqual({ missing: [], templateMissing: false, unknown: [] })
      sim.cards.setPermissions([])
      expect((yield* probeCardScopes(config())).missing).toEqual([
        "Card.Instance.Write",
        "Card.Streaming.Write",
      ])
      sim.cards.setPermissions(["Card.Instance.Write", "Card.Streaming.Write"])
      expect((yield* probeCardScopes(config("gone.schema"))).templateMissing).toBe(true)
      expect(sim.cards.all.length).toBe(cardsBefore)
    }).pipe(Effect.provide(openApiFor(sim)))
  })
})
