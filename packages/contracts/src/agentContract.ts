import { describe, expect, it } from "@effect/vitest"
import { Agent, type AgentEvent, AgentFailed, type AgentRequest, collectAnswer } from "@openpollen/core"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

export const sampleAgentRequest: AgentRequest = {
  sessionKey: "dm:$:LWCP_v1:$contract==",
  text: "你好",
  attachments: [],
  sender: { id: "$:LWCP_v1:$contract==", staffId: "staff-contract", nick: "Contract" },
  conversation: { id: "cidContract==", kind: "dm" },
}

export interface AgentHarness<E> {
  /** An agent that answers `sampleAgentRequest` with `answer`. */
  readonly layer: Layer.Layer<Agent, E>
  /** The whole answer that agent gives to `sampleAgentRequest`. */
  readonly answer: string
  /** An agent whose answer takes far longer than a test runs (it may stream a first TextDelta, then hold the rest). */
  readonly slow: () => Layer.Layer<Agent, E>
  /** Resolves once the slow agent's work was cancelled (e.g. the model's fake saw its request aborted). */
  readonly cancelled?: () => Promise<void>
  /** An agent whose model fails; absent for an agent that cannot fail (echo). */
  readonly failing?: () => Layer.Layer<Agent, E>
}

const respond = (request: AgentRequest = sampleAgentRequest) =>
  Stream.unwrap(
    Effect.gen(function* () {
      return (yield* Agent).respond(request)
    }),
  )

/**
 * An Agent streams its answer as TextDeltas that concatenate to the whole answer, stops when its consumer is
 * interrupted, fails only with AgentFailed, and accepts a reset of any session.
 */
export const agentContract = <E>(name: string, makeHarness: () => AgentHarness<E>) =>
  describe(`Agent contract: ${name}`, () => {
    it.effect("streams TextDeltas that concatenate to the whole, non-empty answer", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const events: ReadonlyArray<AgentEvent> = yield* Stream.runCollect(respond())
        const deltas = events.filter((event) => event._tag === "TextDelta")
        expect(deltas.length).toBeGreaterThan(0)
        expect(deltas.map((event) => event.text).join("")).toBe(harness.answer)
        expect(harness.answer.trim()).not.toBe("")
        expect(yield* collectAnswer(respond())).toBe(harness.answer)
      }).pipe(Effect.provide(harness.layer))
    })

    it.live("stops streaming when its consumer is interrupted", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const first = yield* Deferred.make<void>()
        const after: Array<AgentEvent> = []
        const consumer = yield* respond().pipe(
          Stream.runForEach((event) =>
            Deferred.isDone(first).pipe(
              Effect.flatMap((done) =>
                done ? Effect.sync(() => void after.push(event)) : Deferred.succeed(first, undefined),
              ),
            ),
          ),
          Effect.forkChild,
        )
        yield* Deferred.await(first).pipe(Effect.timeoutOption("300 millis"))
        yield* Fiber.interrupt(consumer).pipe(Effect.timeout("5 seconds"))
        if (harness.cancelled !== undefined)
          yield* Effect.promise(harness.cancelled).pipe(Effect.timeout("5 seconds"))
        yield* Effect.sleep("50 millis")
        expect(after).toEqual([])
      }).pipe(Effect.provide(harness.slow()))
    })

    it.effect("fails with an AgentFailed when its model fails", () => {
      const harness = makeHarness()
      if (harness.failing === undefined) return Effect.void
      return Effect.gen(function* () {
        const error = yield* collectAnswer(respond()).pipe(Effect.flip)
        expect(error).toBeInstanceOf(AgentFailed)
        expect(["timeout", "unavailable", "rejected", "internal"]).toContain(error.reason)
      }).pipe(Effect.provide(harness.failing()))
    })

    it.effect("accepts a reset, also of a session it never saw", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const agent = yield* Agent
        yield* agent.reset(sampleAgentRequest.sessionKey)
        yield* agent.reset("group:never-seen")
        expect(yield* collectAnswer(agent.respond(sampleAgentRequest))).toBe(harness.answer)
      }).pipe(Effect.provide(harness.layer))
    })
  })
