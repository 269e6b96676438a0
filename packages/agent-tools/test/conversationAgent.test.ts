import { type AgentEvent, AgentFailed, type AgentRequest, makeMemoryAgentMemory } from "@openpollen/core"
import { Effect, Exit, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { conversationAgent } from "../src/index.js"

const request = (text: string): AgentRequest => ({
  sessionKey: "dm:user-1",
  text,
  attachments: [],
  sender: { id: "user-1", nick: "Ann" },
  conversation: { id: "cid-1", kind: "dm" },
})

const agentAnswering = (reply: (text: string, historyLength: number) => string) =>
  Effect.gen(function* () {
    const memory = yield* makeMemoryAgentMemory()
    const agent = conversationAgent({
      memory,
      maxHistoryMessages: 4,
      userText: (r) => `said: ${r.text}`,
      answer: (r, history, emit) =>
        Effect.gen(function* () {
          const text = reply(r.text, history.length)
          for (const piece of text.split(" ")) yield* emit({ _tag: "TextDelta", text: piece })
          return text.split(" ").join("")
        }),
    })
    return { agent, memory }
  })

const collect = (stream: Stream.Stream<AgentEvent, AgentFailed>) =>
  Stream.runCollect(stream).pipe(Effect.map((events) => Array.from(events)))

describe("conversationAgent", () => {
  it("streams the answer, then remembers the turn as userText and the whole answer", async () => {
    const { agent, memory } = await Effect.runPromise(agentAnswering((_, seen) => `seen ${seen}`))
    const first = await Effect.runPromise(collect(agent.respond(request("hi"))))
    expect(first).toEqual([
      { _tag: "TextDelta", text: "seen" },
      { _tag: "TextDelta", text: "0" },
    ])
    expect(await Effect.runPromise(memory.load("dm:user-1"))).toEqual([
      { role: "user", text: "said: hi" },
      { role: "assistant", text: "seen0" },
    ])
    const second = await Effect.runPromise(collect(agent.respond(request("again"))))
    expect(second.at(-1)).toEqual({ _tag: "TextDelta", text: "2" })
  })

  it("fails on an empty answer and remembers nothing", async () => {
    const { agent, memory } = await Effect.runPromise(agentAnswering(() => " "))
    const exit = await Effect.runPromiseExit(collect(agent.respond(request("hi"))))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
    expect(error?._tag === "Fail" ? error.error : undefined).toBeInstanceOf(AgentFailed)
    expect(await Effect.runPromise(memory.load("dm:user-1"))).toEqual([])
  })

  it("forgets the session on reset", async () => {
    const { agent, memory } = await Effect.runPromise(agentAnswering(() => "ok"))
    await Effect.runPromise(collect(agent.respond(request("hi"))))
    await Effect.runPromise(agent.reset("dm:user-1"))
    expect(await Effect.runPromise(memory.load("dm:user-1"))).toEqual([])
  })
})
