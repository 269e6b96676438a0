import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { agentContract, sampleAgentRequest } from "@openpollen/contracts"
import {
  Agent,
  type AgentEvent,
  AgentMemory,
  AgentMemoryError,
  type AgentRequest,
  collectAnswer,
  MemoryAgentMemory,
  makeMemoryAgentMemory,
} from "@openpollen/core"
import { Effect, Layer, Logger, Redacted, References, Stream } from "effect"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { OpenAiAgent, type OpenAiAgentConfig } from "../src/index.js"
import {
  type FakeChatCompletions,
  startFakeChatCompletions,
  textChunks,
  toolCallChunks,
} from "../src/testing/index.js"

const KEY = "sk-test-123456789"
let api: FakeChatCompletions
beforeAll(async () => {
  api = await startFakeChatCompletions()
})
afterAll(() => api.close())
beforeEach(() => api.reset())

const base = mkdtempSync(join(tmpdir(), "agent-openai-"))
const uploads = join(base, "uploads")
const outside = join(base, "outside")
mkdirSync(uploads)
mkdirSync(outside)
writeFileSync(join(outside, "secret.txt"), "top secret")
writeFileSync(join(uploads, "notes.txt"), "the meeting is at 3pm")
symlinkSync(join(outside, "secret.txt"), join(uploads, "escape.txt"))

const config = (overrides: Partial<OpenAiAgentConfig> = {}): OpenAiAgentConfig => ({
  baseUrl: api.url,
  apiKey: Redacted.make(KEY),
  model: "qwen-test",
  timeoutMs: 1_000,
  maxHistoryMessages: 4,
  tools: true,
  folders: [uploads],
  ...overrides,
})
const layerOn = (memory: Layer.Layer<AgentMemory>, overrides: Partial<OpenAiAgentConfig> = {}) =>
  OpenAiAgent.layer(config(overrides)).pipe(Layer.provide(memory))
const layer = (overrides: Partial<OpenAiAgentConfig> = {}) => layerOn(MemoryAgentMemory.layer(), overrides)

const run = <A, E>(effect: Effect.Effect<A, E, Agent>, agent = layer()) =>
  Effect.runPromise(effect.pipe(Effect.provide(agent)))
const eventsOf = (request: AgentRequest = sampleAgentRequest) =>
  Effect.gen(function* () {
    return yield* Stream.runCollect((yield* Agent).respond(request))
  })
const answerOf = (request: AgentRequest = sampleAgentRequest) =>
  Effect.gen(function* () {
    return yield* collectAnswer((yield* Agent).respond(request))
  })
const failureOf = (agent = layer(), request: AgentRequest = sampleAgentRequest) =>
  run(Effect.flip(answerOf(request)), agent)

/** An AgentMemory whose Redis is down: every listed call fails. */
const unavailableMemory = (failing: ReadonlyArray<"load" | "append" | "reset">) =>
  Layer.effect(
    AgentMemory,
    Effect.map(makeMemoryAgentMemory(), (memory) => {
      const down = new AgentMemoryError({
        message: "redis 127.0.0.1:6379: agent memory read failed (timed out)",
      })
      return AgentMemory.of({
        load: (key) => (failing.includes("load") ? Effect.fail(down) : memory.load(key)),
        append: (key, turns, max) =>
          failing.includes("append") ? Effect.fail(down) : memory.append(key, turns, max),
        reset: (key) => (failing.includes("reset") ? Effect.fail(down) : memory.reset(key)),
      })
    }),
  )

let nextAbort: Promise<void> = Promise.resolve()
agentContract("OpenAiAgent against a local chat-completions endpoint", () => ({
  layer: layer(),
  answer: `echo: ${sampleAgentRequest.text}`,
  slow: () => {
    api.script({ kind: "hold", chunks: textChunks(["first"]).slice(0, 2) })
    nextAbort = api.aborted()
    return layer({ timeoutMs: 60_000 })
  },
  cancelled: () => nextAbort,
  failing: () => {
    api.script({ kind: "status", status: 401 })
    return layer()
  },
}))

describe("OpenAiAgent", () => {
  it("streams the answer with the model, the key and the read_file tool in the request", async () => {
    api.script({ kind: "stream", chunks: textChunks(["one ", "two"], 100) })
    const events = await run(eventsOf())
    expect(events.map((event) => event.text)).toEqual(["one ", "two"])
    expect(api.seen[0]?.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(api.seen[0]?.body).toMatchObject({ model: "qwen-test", stream: true })
    expect(api.seen[0]?.body.tools[0].function.name).toBe("read_file")
  })

  it("sends its own system prompt, then the conversation's, as the first message", async () => {
    await run(
      answerOf({ ...sampleAgentRequest, systemPrompt: "用中文回答" }),
      layer({ systemPrompt: "You are kind." }),
    )
    expect(api.seen[0]?.body.messages[0]).toEqual({ role: "system", content: "You are kind.\n\n用中文回答" })
  })

  it("offers no tools when tools are off, for models without function calling", async () => {
    await run(
      answerOf({
        ...sampleAgentRequest,
        attachments: [{ kind: "file", path: join(uploads, "notes.txt"), fileName: "notes.txt" }],
      }),
      layer({ tools: false }),
    )
    expect(api.seen[0]?.body.tools).toBeUndefined()
    expect(api.seen[0]?.body.messages.at(-1).content).toBe("你好\n[file: notes.txt]")
  })

  it("keeps a bounded multi-turn history per session and forgets it on reset", async () => {
    await run(
      Effect.gen(function* () {
        const agent = yield* Agent
        for (const text of ["one", "two", "three"])
          yield* collectAnswer(agent.respond({ ...sampleAgentRequest, text }))
        yield* collectAnswer(agent.respond({ ...sampleAgentRequest, sessionKey: "other", text: "alone" }))
        yield* agent.reset(sampleAgentRequest.sessionKey)
        yield* collectAnswer(agent.respond({ ...sampleAgentRequest, text: "fresh" }))
      }),
    )
    const contents = (index: number) =>
      api.seen[index]?.body.messages.map((m: { content: unknown }) => m.content)
    expect(contents(2)).toEqual(["one", "echo: one", "two", "echo: two", "three"])
    expect(contents(3)).toEqual(["alone"])
    expect(contents(4)).toEqual(["fresh"])
  })

  it("keeps no history of its own: a second agent on the same AgentMemory continues the session", async () => {
    const shared = Layer.succeed(AgentMemory, Effect.runSync(makeMemoryAgentMemory()))
    await run(answerOf({ ...sampleAgentRequest, text: "I am instance A's user" }), layerOn(shared))
    await run(answerOf({ ...sampleAgentRequest, text: "who am I?" }), layerOn(shared))
    expect(api.seen[1]?.body.messages).toEqual([
      { role: "user", content: "I am instance A's user" },
      { role: "assistant", content: "echo: I am instance A's user" },
      { role: "user", content: "who am I?" },
    ])
  })

  it("fails as unavailable when the history cannot be loaded, without asking the model", async () => {
    expect(await failureOf(layerOn(unavailableMemory(["load"])))).toMatchObject({ reason: "unavailable" })
    expect(api.seen).toHaveLength(0)
  })

  it("still answers when the turn cannot be remembered, and reports a reset that could not clear the history", async () => {
    const agent = layerOn(unavailableMemory(["append", "reset"]))
    const { reply, resetError } = await run(
      Effect.gen(function* () {
        const resetError = yield* (yield* Agent).reset(sampleAgentRequest.sessionKey).pipe(Effect.flip)
        const reply = yield* answerOf({ ...sampleAgentRequest, text: "still" })
        return { reply, resetError }
      }),
      agent,
    )
    expect(reply).toBe("echo: still")
    expect(resetError).toMatchObject({ _tag: "AgentFailed", reason: "unavailable" })
  })

  it("sends pictures as image parts with the type sniffed from their bytes", async () => {
    const path = join(uploads, "a.bin")
    writeFileSync(path, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    await run(
      answerOf({
        ...sampleAgentRequest,
        attachments: [{ kind: "picture", path, contentType: "image/jpeg" }],
      }),
    )
    const content = api.seen[0]?.body.messages.at(-1).content
    expect(content.map((part: { type: string }) => part.type)).toEqual(["text", "image_url"])
    expect(content[1].image_url.url).toBe("data:image/png;base64,iVBORw0KGgo=")
    expect(content[0].text).toContain(path)
  })

  it("runs read_file when the model asks, with a status meanwhile, and answers in the same reply", async () => {
    api.script(
      { kind: "stream", chunks: toolCallChunks([join(uploads, "notes.txt")]) },
      { kind: "stream", chunks: textChunks(["It is at 3pm."]) },
    )
    const events: ReadonlyArray<AgentEvent> = await run(eventsOf())
    expect(events).toEqual([
      { _tag: "Status", text: "reading notes.txt" },
      { _tag: "TextDelta", text: "It is at 3pm." },
    ])
    const messages = api.seen[1]?.body.messages
    const call = messages.at(-2).tool_calls[0]
    expect(call.function).toEqual({
      name: "read_file",
      arguments: JSON.stringify({ path: join(uploads, "notes.txt") }),
    })
    expect(messages.at(-1)).toEqual({ role: "tool", tool_call_id: call.id, content: "the meeting is at 3pm" })
  })

  it("attaches a picture read by the tool as an image part right after the tool messages", async () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])
    writeFileSync(join(uploads, "photo.jpg"), jpeg)
    api.script(
      { kind: "stream", chunks: toolCallChunks([join(uploads, "photo.jpg"), join(uploads, "notes.txt")]) },
      { kind: "stream", chunks: textChunks(["seen"]) },
    )
    await run(answerOf())
    const messages = api.seen[1]?.body.messages
    expect(messages.slice(-3).map((message: { role: string }) => message.role)).toEqual([
      "tool",
      "tool",
      "user",
    ])
    expect(messages.at(-1).content[0].image_url.url).toBe(
      `data:image/jpeg;base64,${Buffer.from(jpeg).toString("base64")}`,
    )
  })

  it("refuses paths outside the uploads folder as tool errors, never sending the file", async () => {
    const attempts = [
      join(uploads, "..", "outside", "secret.txt"),
      join(outside, "secret.txt"),
      join(uploads, "escape.txt"),
    ]
    api.script(
      { kind: "stream", chunks: toolCallChunks(attempts) },
      { kind: "stream", chunks: textChunks(["no"]) },
    )
    await run(answerOf())
    const tools = api.seen[1]?.body.messages.filter((message: { role: string }) => message.role === "tool")
    expect(tools).toHaveLength(3)
    for (const message of tools) expect(message.content).toMatch(/^error: /)
    expect(JSON.stringify(api.seen[1]?.body)).not.toContain("top secret")
  })

  it("stops offering tools after 8 calls", async () => {
    for (let call = 0; call < 9; call += 1)
      api.script({ kind: "stream", chunks: toolCallChunks([join(uploads, "notes.txt")]) })
    api.script({ kind: "stream", chunks: textChunks(["done"]) })
    const events = await run(eventsOf())
    expect(events.filter((event) => event._tag === "Status")).toHaveLength(8)
    expect(api.seen[8]?.body.tool_choice).toBe("none")
    expect(api.seen[9]?.body.messages.at(-1)).toMatchObject({
      role: "tool",
      content: "error: no more tool calls in this reply",
    })
    expect(events.at(-1)).toEqual({ _tag: "TextDelta", text: "done" })
  })

  it("fails clearly on timeouts and rejections", async () => {
    api.script({ kind: "hold" })
    expect(await failureOf(layer({ timeoutMs: 300 }))).toMatchObject({ reason: "timeout" })
    api.script({ kind: "status", status: 401 })
    expect(await failureOf()).toMatchObject({ reason: "rejected" })
  })

  it("sends a request again when the endpoint closed the connection without answering, three tries at most", async () => {
    api.script({ kind: "hang-up" })
    expect(await run(answerOf({ ...sampleAgentRequest, text: "again" }))).toBe("echo: again")
    expect(api.seen).toHaveLength(2)
    api.reset()
    api.script({ kind: "hang-up" }, { kind: "hang-up" }, { kind: "hang-up" })
    expect(await failureOf()).toMatchObject({ reason: "unavailable" })
    expect(api.seen).toHaveLength(3)
  })

  it("honours retry-after on 429", async () => {
    api.script({ kind: "status", status: 429, retryAfter: "1" })
    expect(await run(answerOf())).toBe(`echo: ${sampleAgentRequest.text}`)
    expect((api.seen[1]?.at ?? 0) - (api.seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(950)
  })

  it("fails a stream cut midway without asking again", async () => {
    api.script({ kind: "stream", chunks: textChunks(["half", "rest"]), cutAfter: 2 })
    expect(await failureOf()).toMatchObject({ reason: "unavailable" })
    expect(api.seen).toHaveLength(1)
  })

  it("never lets the API key reach a log line or an error", async () => {
    const logged: Array<string> = []
    const capture = Logger.make(({ message, fiber }) => {
      logged.push(JSON.stringify({ message, annotations: fiber.getRef(References.CurrentLogAnnotations) }))
    })
    const echoedKey = `{"error":{"message":"Incorrect API key provided: ${KEY}"}}`
    api.script(
      { kind: "status", status: 503, body: echoedKey },
      { kind: "status", status: 401, body: echoedKey },
    )
    const error = await Effect.runPromise(
      Effect.flip(answerOf()).pipe(Effect.provide(layer()), Effect.provide(Logger.layer([capture]))),
    )
    expect(error).toMatchObject({ reason: "rejected" })
    expect(logged.length).toBeGreaterThan(0)
    expect(`${logged.join("\n")}${JSON.stringify(error)}${String(error)}`).not.toContain(KEY)
  })
})
