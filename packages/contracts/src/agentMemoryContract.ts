import { describe, expect, it } from "@effect/vitest"
import { AgentMemory, type AgentTurn, MAX_AGENT_TURN_CHARS } from "@openpollen/core"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"

const user = (text: string): AgentTurn => ({ role: "user", text })
const assistant = (text: string): AgentTurn => ({ role: "assistant", text })

/** Every AgentMemory keeps each session's newest turns in order, apart from other sessions, until reset. */
export const agentMemoryContract = <E>(name: string, makeLayer: () => Layer.Layer<AgentMemory, E>) =>
  describe(`AgentMemory contract: ${name}`, () => {
    const run = <A, E2>(effect: Effect.Effect<A, E2, AgentMemory>) => effect.pipe(Effect.provide(makeLayer()))
    const unique = () => `dm:$:LWCP_v1:$${Math.random().toString(36).slice(2)}==`

    it.effect("is empty for an unknown session", () =>
      run(
        Effect.gen(function* () {
          expect(yield* (yield* AgentMemory).load(unique())).toEqual([])
        }),
      ),
    )

    it.effect("returns appended turns oldest first, per session", () =>
      run(
        Effect.gen(function* () {
          const memory = yield* AgentMemory
          const [a, b] = [unique(), unique()]
          yield* memory.append(a, [user("你好"), assistant("**你好**！")], 20)
          yield* memory.append(b, [user("other")], 20)
          yield* memory.append(a, [user("再见"), assistant("再见 👋🏽")], 20)
          expect(yield* memory.load(a)).toEqual([
            user("你好"),
            assistant("**你好**！"),
            user("再见"),
            assistant("再见 👋🏽"),
          ])
          expect(yield* memory.load(b)).toEqual([user("other")])
        }),
      ),
    )

    it.effect("keeps only the newest maxTurns", () =>
      run(
        Effect.gen(function* () {
          const memory = yield* AgentMemory
          const key = unique()
          for (let turn = 1; turn <= 5; turn++)
            yield* memory.append(key, [user(`q${turn}`), assistant(`a${turn}`)], 4)
          expect(yield* memory.load(key)).toEqual([user("q4"), assistant("a4"), user("q5"), assistant("a5")])
          yield* memory.append(key, [user("q6"), assistant("a6"), user("q7")], 3)
          expect(yield* memory.load(key)).toEqual([user("q6"), assistant("a6"), user("q7")])
        }),
      ),
    )

    it.effect("forgets a session on reset, and accepts a reset of a session it never saw", () =>
      run(
        Effect.gen(function* () {
          const memory = yield* AgentMemory
          const [key, other] = [unique(), unique()]
          yield* memory.append(key, [user("secret plan")], 20)
          yield* memory.append(other, [user("kept")], 20)
          yield* memory.reset(key)
          yield* memory.reset(unique())
          expect(yield* memory.load(key)).toEqual([])
          expect(yield* memory.load(other)).toEqual([user("kept")])
          yield* memory.append(key, [user("fresh")], 20)
          expect(yield* memory.load(key)).toEqual([user("fresh")])
        }),
      ),
    )

    it.effect("keeps text verbatim: Markdown, newlines, quotes, emoji", () =>
      run(
        Effect.gen(function* () {
          const memory = yield* AgentMemory
          const key = unique()
          const text = '> 引用\n\n```ts\nconst a = "b"\\n\n```\n| a | b |\n👨‍👩‍👧 {"role":"system"}'
          yield* memory.append(key, [user(text), assistant("")], 20)
          expect(yield* memory.load(key)).toEqual([user(text), assistant("")])
        }),
      ),
    )

    it.effect(`cuts a turn's text to ${MAX_AGENT_TURN_CHARS} characters without splitting one`, () =>
      run(
        Effect.gen(function* () {
          const memory = yield* AgentMemory
          const key = unique()
          const long = "😀".repeat(MAX_AGENT_TURN_CHARS + 500)
          yield* memory.append(key, [user(long), assistant("short")], 20)
          const [first, second] = yield* memory.load(key)
          expect(first?.role).toBe("user")
          expect(first?.text).toBe("😀".repeat(MAX_AGENT_TURN_CHARS))
          expect(second).toEqual(assistant("short"))
        }),
      ),
    )

    it.effect("loses no turn when one session is appended to concurrently", () =>
      run(
        Effect.gen(function* () {
          const memory = yield* AgentMemory
          const key = unique()
          yield* Effect.all(
            Array.from({ length: 10 }, (_, index) => memory.append(key, [user(`q${index}`)], 100)),
            { concurrency: "unbounded" },
          )
          const texts = (yield* memory.load(key)).map((turn) => turn.text)
          expect([...texts].sort()).toEqual(Array.from({ length: 10 }, (_, index) => `q${index}`).sort())
        }),
      ),
    )
  })
