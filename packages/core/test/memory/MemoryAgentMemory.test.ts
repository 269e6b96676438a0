import { describe, expect, it } from "@effect/vitest"
import { AgentMemory, MemoryAgentMemory } from "@openpollen/core"
import { Effect } from "effect"

const turn = (text: string) => ({ role: "user" as const, text })

describe("MemoryAgentMemory", () => {
  it.effect("forgets the least recently used session beyond maxSessions", () =>
    Effect.gen(function* () {
      const memory = yield* AgentMemory
      for (const key of ["a", "b", "c"]) yield* memory.append(key, [turn(key)], 10)
      yield* memory.load("a")
      yield* memory.append("d", [turn("d")], 10)
      expect(yield* memory.load("b")).toEqual([])
      expect(yield* memory.load("a")).toEqual([turn("a")])
      expect(yield* memory.load("c")).toEqual([turn("c")])
      expect(yield* memory.load("d")).toEqual([turn("d")])
    }).pipe(Effect.provide(MemoryAgentMemory.layer({ maxSessions: 3 }))),
  )

  it.effect("holds 1,000 sessions by default", () =>
    Effect.gen(function* () {
      const memory = yield* AgentMemory
      for (let index = 0; index <= 1_000; index++) yield* memory.append(`s${index}`, [turn("x")], 10)
      expect(yield* memory.load("s0")).toEqual([])
      expect(yield* memory.load("s1")).toEqual([turn("x")])
      expect(yield* memory.load("s1000")).toEqual([turn("x")])
    }).pipe(Effect.provide(MemoryAgentMemory.layer())),
  )
})
