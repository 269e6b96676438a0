import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { agentContract, sampleAgentRequest } from "@openpollen/contracts"
import { Agent, type AgentEvent, type AgentRequest, collectAnswer, MemoryAgentMemory } from "@openpollen/core"
import { Effect, Layer, Logger, Redacted, References, Stream } from "effect"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { AnthropicAgent, type AnthropicAgentConfig } from "../src/index.js"
import {
  type FakeMessagesApi,
  startFakeMessagesApi,
  textEvents,
  toolUseEvents,
} from "../src/testing/index.js"

const KEY = "sk-ant-test-0123456789"
let api: FakeMessagesApi
beforeAll(async () => {
  api = await startFakeMessagesApi()
})
afterAll(() => api.close())
beforeEach(() => api.reset())

const base = mkdtempSync(join(tmpdir(), "agent-anthropic-"))
const uploads = join(base, "uploads")
const outside = join(base, "outside")
mkdirSync(uploads)
mkdirSync(outside)
writeFileSync(join(outside, "secret.txt"), "top secret")
writeFileSync(join(uploads, "notes.txt"), "the meeting is at 3pm")
symlinkSync(join(outside, "secret.txt"), join(uploads, "escape.txt"))

const config = (overrides: Partial<AnthropicAgentConfig> = {}): AnthropicAgentConfig => ({
  baseUrl: api.url,
  apiKey: Redacted.make(KEY),
  model: "claude-sonnet-4-5",
  maxTokens: 4096,
  timeoutMs: 2_000,
  maxHistoryMessages: 10,
  folders: [uploads],
  ...overrides,
})
const layer = (overrides: Partial<AnthropicAgentConfig> = {}) =>
  AnthropicAgent.layer(config(overrides)).pipe(Layer.provide(MemoryAgentMemory.layer()))

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
const failureOf = (request: AgentRequest = sampleAgentRequest, agent = layer()) =>
  run(Effect.flip(answerOf(request)), agent)

let nextAbort: Promise<void> = Promise.resolve()
agentContract("AnthropicAgent against a local Messages API", () => ({
  layer: layer(),
  answer: `echo: ${sampleAgentRequest.text}`,
  slow: () => {
    api.script({ kind: "hold", events: textEvents(["first"]).slice(0, 3) })
    nextAbort = api.aborted()
    return layer({ timeoutMs: 60_000 })
  },
  cancelled: () => nextAbort,
  failing: () => {
    api.script({ kind: "status", status: 401 })
    return layer()
  },
}))

describe("AnthropicAgent", () => {
  it("posts a streamed Messages request with the key, the API version and the model's settings", async () => {
    await run(answerOf())
    const [request] = api.seen
    expect(request?.headers["x-api-key"]).toBe(KEY)
    expect(request?.headers["anthropic-version"]).toBe("2023-06-01")
    expect(request?.body).toMatchObject({ model: "claude-sonnet-4-5", max_tokens: 4096, stream: true })
    expect(request?.body.tools.map((tool: { name: string }) => tool.name)).toEqual(["read_file"])
  })

  it("sends its own system prompt, then the conversation's", async () => {
    await run(
      answerOf({ ...sampleAgentRequest, systemPrompt: "用中文回答" }),
      layer({ systemPrompt: "You are kind." }),
    )
    await run(answerOf())
    expect(api.seen[0]?.body.system).toBe("You are kind.\n\n用中文回答")
    expect(api.seen[1]?.body.system).toBeUndefined()
  })

  it("hands each text delta on as it arrives, before the model has finished", async () => {
    api.script({ kind: "stream", events: textEvents(["one ", "two ", "three"], 150) })
    const receivedAt: Array<number> = []
    const events = await run(
      Effect.gen(function* () {
        return yield* (yield* Agent).respond(sampleAgentRequest).pipe(
          Stream.tap(() => Effect.sync(() => void receivedAt.push(Date.now()))),
          Stream.runCollect,
        )
      }),
    )
    expect(events.map((event) => event.text)).toEqual(["one ", "two ", "three"])
    const lastSent = api.sentAt.at(-3) ?? 0
    expect(receivedAt[0]).toBeLessThan(lastSent)
  })

  it("sends pictures as base64 image blocks carrying the exact bytes, and describes one over 5 MB", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 8, 7, 6, 5])
    writeFileSync(join(uploads, "small.bin"), png)
    const huge = new Uint8Array(4 * 1024 * 1024)
    huge.set([0xff, 0xd8, 0xff, 0xe0])
    writeFileSync(join(uploads, "huge.jpg"), huge)
    await run(
      answerOf({
        ...sampleAgentRequest,
        attachments: [
          { kind: "picture", path: join(uploads, "small.bin") },
          { kind: "picture", path: join(uploads, "huge.jpg") },
        ],
      }),
    )
    const content = api.seen[0]?.body.messages.at(-1).content
    expect(content.map((block: { type: string }) => block.type)).toEqual(["text", "image", "text"])
    expect(content[1].source).toEqual({
      type: "base64",
      media_type: "image/png",
      data: Buffer.from(png).toString("base64"),
    })
    expect(content[2].text).toContain("huge.jpg")
    expect(content[2].text).toContain("5 MB")
    expect(content[0].text).toContain(join(uploads, "small.bin"))
  })

  it("runs read_file when the model asks, shows a status meanwhile, and streams the final answer", async () => {
    api.script(
      { kind: "stream", events: toolUseEvents([join(uploads, "notes.txt")], "Let me look. ") },
      { kind: "stream", events: textEvents(["It is at 3pm."]) },
    )
    const events: ReadonlyArray<AgentEvent> = await run(eventsOf())
    expect(events).toEqual([
      { _tag: "TextDelta", text: "Let me look. " },
      { _tag: "Status", text: "reading notes.txt" },
      { _tag: "TextDelta", text: "It is at 3pm." },
    ])
    const second = api.seen[1]?.body.messages
    expect(second.at(-2)).toMatchObject({
      role: "assistant",
      content: [
        { type: "text", text: "Let me look. " },
        { type: "tool_use", name: "read_file", input: { path: join(uploads, "notes.txt") } },
      ],
    })
    expect(second.at(-1).content).toEqual([
      { type: "tool_result", tool_use_id: second.at(-2).content[1].id, content: "the meeting is at 3pm" },
    ])
  })

  it("returns a picture read by the tool as an image block in the tool result", async () => {
    const gif = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0])
    writeFileSync(join(uploads, "anim.gif"), gif)
    api.script(
      { kind: "stream", events: toolUseEvents([join(uploads, "anim.gif")]) },
      { kind: "stream", events: textEvents(["a gif"]) },
    )
    await run(answerOf())
    const result = api.seen[1]?.body.messages.at(-1).content[0]
    expect(result.content).toEqual([
      {
        type: "image",
        source: { type: "base64", media_type: "image/gif", data: Buffer.from(gif).toString("base64") },
      },
    ])
  })

  it("refuses paths outside the uploads folder as tool errors, never sending the file", async () => {
    const attempts = [
      join(uploads, "..", "outside", "secret.txt"),
      join(outside, "secret.txt"),
      join(uploads, "escape.txt"),
      "/etc/passwd",
    ]
    api.script(
      { kind: "stream", events: toolUseEvents(attempts) },
      { kind: "stream", events: textEvents(["no"]) },
    )
    await run(answerOf())
    const results = api.seen[1]?.body.messages.at(-1).content
    expect(results).toHaveLength(4)
    for (const result of results) expect(result.is_error).toBe(true)
    expect(JSON.stringify(api.seen[1]?.body)).not.toContain("top secret")
  })

  it("stops offering tools after 8 calls and answers without them", async () => {
    for (let call = 0; call < 9; call += 1)
      api.script({ kind: "stream", events: toolUseEvents([join(uploads, "notes.txt")]) })
    api.script({ kind: "stream", events: textEvents(["done"]) })
    const events = await run(eventsOf())
    expect(events.filter((event) => event._tag === "Status")).toHaveLength(8)
    expect(api.seen.slice(0, 8).every((request) => request.body.tool_choice === undefined)).toBe(true)
    expect(api.seen[8]?.body.tool_choice).toEqual({ type: "none" })
    const ninth = api.seen[9]?.body.messages.at(-1).content[0]
    expect(ninth).toMatchObject({ is_error: true, content: "no more tool calls in this reply" })
    expect(events.at(-1)).toEqual({ _tag: "TextDelta", text: "done" })
  })

  it("keeps the history per session across turns and forgets it on reset", async () => {
    await run(
      Effect.gen(function* () {
        const agent = yield* Agent
        yield* collectAnswer(agent.respond({ ...sampleAgentRequest, text: "one" }))
        yield* collectAnswer(agent.respond({ ...sampleAgentRequest, text: "two" }))
        yield* collectAnswer(agent.respond({ ...sampleAgentRequest, sessionKey: "other", text: "alone" }))
        yield* agent.reset(sampleAgentRequest.sessionKey)
        yield* collectAnswer(agent.respond({ ...sampleAgentRequest, text: "fresh" }))
      }),
    )
    const texts = (index: number) =>
      api.seen[index]?.body.messages.map((message: { content: unknown }) => message.content)
    expect(texts(1)).toEqual(["one", "echo: one", "two"])
    expect(texts(2)).toEqual(["alone"])
    expect(texts(3)).toEqual(["fresh"])
  })

  it("times out when the model does not start, or stalls midway", async () => {
    api.script({ kind: "hold" })
    expect(await failureOf(sampleAgentRequest, layer({ timeoutMs: 300 }))).toMatchObject({
      reason: "timeout",
    })
    api.script({ kind: "hold", events: textEvents(["half"]).slice(0, 3) })
    expect(await failureOf(sampleAgentRequest, layer({ timeoutMs: 300 }))).toMatchObject({
      reason: "timeout",
    })
  })

  it("tries again on 429/529 honouring retry-after, bounded, and not at all past 20 s", async () => {
    api.script({ kind: "status", status: 429, retryAfter: "1" }, { kind: "status", status: 529 })
    expect(await run(answerOf())).toBe(`echo: ${sampleAgentRequest.text}`)
    expect(api.seen).toHaveLength(3)
    expect((api.seen[1]?.at ?? 0) - (api.seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(950)

    api.reset()
    api.script(...Array.from({ length: 3 }, () => ({ kind: "status" as const, status: 500 })))
    expect(await failureOf()).toMatchObject({ reason: "unavailable" })
    expect(api.seen).toHaveLength(3)

    api.reset()
    api.script({ kind: "status", status: 429, retryAfter: "60" })
    expect(await failureOf()).toMatchObject({ reason: "unavailable" })
    expect(api.seen).toHaveLength(1)
  })

  it("fails a stream cut midway without asking again, so nothing is answered twice", async () => {
    api.script({ kind: "stream", events: textEvents(["half of it", "rest"]), cutAfter: 3 })
    const received: Array<string> = []
    const error = await run(
      Effect.gen(function* () {
        return yield* (yield* Agent).respond(sampleAgentRequest).pipe(
          Stream.runForEach((event) => Effect.sync(() => void received.push(event.text))),
          Effect.flip,
        )
      }),
    )
    expect(error).toMatchObject({ _tag: "AgentFailed", reason: "unavailable" })
    expect(received).toEqual(["half of it"])
    expect(api.seen).toHaveLength(1)
  })

  it("never lets the API key reach a log line or an error", async () => {
    const logged: Array<string> = []
    const capture = Logger.make(({ message, fiber }) => {
      logged.push(JSON.stringify({ message, annotations: fiber.getRef(References.CurrentLogAnnotations) }))
    })
    const echoedKey = `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key ${KEY}"}}`
    api.script(
      { kind: "status", status: 529, body: echoedKey },
      { kind: "status", status: 401, body: echoedKey },
    )
    const error = await Effect.runPromise(
      Effect.flip(answerOf()).pipe(Effect.provide(layer()), Effect.provide(Logger.layer([capture]))),
    )
    expect(error).toMatchObject({ reason: "rejected" })
    expect(logged.length).toBeGreaterThan(0)
    expect(logged.join("\n")).not.toContain(KEY)
    expect(JSON.stringify(error)).not.toContain(KEY)
    expect(String(error)).not.toContain(KEY)
  })
})
