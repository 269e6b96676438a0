import { describe, expect, it } from "@effect/vitest"
import { AgentMemory, MemoryAgentMemory } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { accountAgentMemory } from "../src/channel/accountAgentMemory.js"

/** `account`'s own view of the shared memory, as its channel gets it. */
const viewOf = (account: string) =>
  Effect.flatMap(Effect.service(AgentMemory), (shared) =>
    Effect.service(AgentMemory).pipe(
      Effect.provide(accountAgentMemory(account).pipe(Layer.provide(Layer.succeed(AgentMemory, shared)))),
    ),
  )

describe("accountAgentMemory", () => {
  it.effect(
    "keeps each account's sessions apart in one shared memory; the default account keeps the bare keys",
    () =>
      Effect.gen(function* () {
        const shared = yield* AgentMemory
        const sales = yield* viewOf("sales")
        const support = yield* viewOf("support")
        yield* sales.append("dm:alice", [{ role: "user", text: "报价多少" }], 20)
        yield* shared.append("dm:alice", [{ role: "user", text: "single-robot history" }], 20)
        expect(yield* sales.load("dm:alice")).toEqual([{ role: "user", text: "报价多少" }])
        expect(yield* support.load("dm:alice")).toEqual([])
        expect(yield* shared.load("dm:alice")).toEqual([{ role: "user", text: "single-robot history" }])
        expect(yield* shared.load("@sales:dm:alice")).toEqual([{ role: "user", text: "报价多少" }])
        yield* sales.reset("dm:alice")
        expect(yield* sales.load("dm:alice")).toEqual([])
        expect(yield* shared.load("dm:alice")).toHaveLength(1)
      }).pipe(Effect.provide(MemoryAgentMemory.layer())),
  )
})
