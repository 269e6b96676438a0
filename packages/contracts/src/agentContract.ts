import { describe, expect, it } from "@effect/vitest"
import { Agent, type AgentRequest } from "@openpollen/core"
import { Effect, type Layer } from "effect"

export const sampleAgentRequest: AgentRequest = {
  sessionKey: "dm:$:LWCP_v1:$contract==",
  text: "你好",
  attachments: [],
  sender: { id: "$:LWCP_v1:$contract==", staffId: "staff-contract", nick: "Contract" },
  conversation: { id: "cidContract==", kind: "dm" },
}

/** An Agent answers a request with non-empty Markdown, and accepts a reset of any session. */
export const agentContract = <E>(name: string, makeLayer: () => Layer.Layer<Agent, E>) =>
  describe(`Agent contract: ${name}`, () => {
    it.effect("answers with Markdown text", () =>
      Effect.gen(function* () {
        const reply = yield* (yield* Agent).respond(sampleAgentRequest)
        expect(reply.markdown.trim()).not.toBe("")
      }).pipe(Effect.provide(makeLayer())),
    )

    it.effect("accepts a reset, also of a session it never saw", () =>
      Effect.gen(function* () {
        const agent = yield* Agent
        yield* agent.reset(sampleAgentRequest.sessionKey)
        yield* agent.reset("group:never-seen")
        expect((yield* agent.respond(sampleAgentRequest)).markdown.trim()).not.toBe("")
      }).pipe(Effect.provide(makeLayer())),
    )
  })
