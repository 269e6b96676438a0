import { mkdtempSync, writeFileSync } from "node:fs"
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { agentContract, sampleAgentRequest } from "@openpollen/contracts"
import {
  Agent,
  AgentMemory,
  AgentMemoryError,
  type AgentRequest,
  collectAnswer,
  MemoryAgentMemory,
  makeMemoryAgentMemory,
} from "@openpollen/core"
import { Effect, Layer, Redacted, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { EchoAgent } from "../src/agents/EchoAgent.js"
import { OpenAiAgent } from "../src/agents/OpenAiAgent.js"

const resolvable = () => {
  let resolve = () => {}
  const promise = new Promise<void>((done) => {
    resolve = done
  })
  return { promise, resolve }
}

interface Seen {
  readonly body: { model: string; messages: Array<{ role: string; content: unknown }> }
  readonly authorization: string | undefined
}
const seen: Array<Seen> = []
let mode: "ok" | "slow" | "error" | "hang-up-once" | "hang-up" = "ok"
let baseUrl = ""
/** Resolves when the endpoint saw a request for the model "held" closed by the client before it answered. */
let heldAborted = resolvable()
const server = createServer(async (request: IncomingMessage, response) => {
  const chunks: Array<Buffer> = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  const body = JSON.parse(Buffer.concat(chunks).toString()) as Seen["body"]
  seen.push({ body, authorization: request.headers.authorization })
  if (body.model === "held") {
    const aborted = heldAborted
    return response.on("close", () => {
      if (!response.writableEnded) aborted.resolve()
    })
  }
  if (body.model === "broken") return response.writeHead(500).end("{}")
  if (mode === "slow") return setTimeout(() => response.end("{}"), 2_000)
  if (mode === "hang-up" || mode === "hang-up-once") {
    if (mode === "hang-up-once") mode = "ok"
    return request.socket.destroy()
  }
  if (mode === "error") return response.writeHead(401).end('{"error":{"message":"bad key sk-test-123"}}')
  const last = body.messages.at(-1)
  const text = typeof last?.content === "string" ? last.content : "with parts"
  response
    .writeHead(200, { "content-type": "application/json" })
    .end(JSON.stringify({ choices: [{ message: { content: `echo: ${text}` } }] }))
})
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const openaiOn = (memory: Layer.Layer<AgentMemory>, overrides: Record<string, unknown> = {}) =>
  OpenAiAgent.layer({
    baseUrl,
    apiKey: Redacted.make("sk-test-123"),
    model: "qwen-test",
    timeoutMs: 500,
    maxHistoryMessages: 4,
    ...overrides,
  }).pipe(Layer.provide(memory))
const openai = (overrides: Record<string, unknown> = {}) => openaiOn(MemoryAgentMemory.layer(), overrides)

/** An AgentMemory whose Redis is down: every call fails. */
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
const answerOf = (request: AgentRequest) =>
  Effect.gen(function* () {
    return yield* collectAnswer((yield* Agent).respond(request))
  })
const respond = (layer: ReturnType<typeof openai>, request = sampleAgentRequest) =>
  Effect.runPromise(answerOf(request).pipe(Effect.provide(layer)))

agentContract("EchoAgent", () => ({
  layer: EchoAgent.layer,
  answer: sampleAgentRequest.text,
  slow: () => EchoAgent.layer,
}))
agentContract("OpenAiAgent against a local chat-completions endpoint", () => ({
  layer: openai(),
  answer: `echo: ${sampleAgentRequest.text}`,
  slow: () => {
    heldAborted = resolvable()
    return openai({ model: "held", timeoutMs: 60_000 })
  },
  cancelled: () => heldAborted.promise,
  failing: () => openai({ model: "broken" }),
}))

describe("EchoAgent", () => {
  it("echoes the text and lists every saved file's name (never the server's path) on its own line", async () => {
    const events = await Effect.runPromise(
      Effect.gen(function* () {
        const agent = yield* Agent
        return yield* Stream.runCollect(
          agent.respond({ ...sampleAgentRequest, attachments: [{ kind: "picture", path: "/u/a.png" }] }),
        )
      }).pipe(Effect.provide(EchoAgent.layer)),
    )
    expect(events.map((event) => event.text)).toEqual(["你好", "\n\na.png"])
  })

  it("shows the quote first: its text and the names of its files on one '>' line", async () => {
    const reply = await Effect.runPromise(
      Effect.gen(function* () {
        return yield* collectAnswer(
          (yield* Agent).respond({
            ...sampleAgentRequest,
            quotedText: "部署脚本\n报错了",
            attachments: [
              { kind: "picture", path: "/u/own.png" },
              { kind: "file", path: "/u/quoted.xlsx", fileName: "报表.xlsx", quoted: true },
            ],
          }),
        )
      }).pipe(Effect.provide(EchoAgent.layer)),
    )
    expect(reply).toBe("> 部署脚本 报错了 quoted.xlsx\n\n你好\n\nown.png")
  })
})

describe("OpenAiAgent", () => {
  it("keeps a bounded multi-turn history per session and forgets it on reset", async () => {
    seen.length = 0
    mode = "ok"
    const layer = openai()
    await Effect.runPromise(
      Effect.gen(function* () {
        const agent = yield* Agent
        for (const text of ["one", "two", "three"])
          yield* collectAnswer(agent.respond({ ...sampleAgentRequest, text }))
        yield* collectAnswer(agent.respond({ ...sampleAgentRequest, sessionKey: "other", text: "alone" }))
        yield* agent.reset(sampleAgentRequest.sessionKey)
        yield* collectAnswer(agent.respond({ ...sampleAgentRequest, text: "fresh" }))
      }).pipe(Effect.provide(layer)),
    )
    expect(seen[0]?.body.model).toBe("qwen-test")
    expect(seen[0]?.authorization).toBe("Bearer sk-test-123")
    expect(seen[2]?.body.messages.map((m) => m.content)).toEqual([
      "one",
      "echo: one",
      "two",
      "echo: two",
      "three",
    ])
    expect(seen[3]?.body.messages.map((m) => m.content)).toEqual(["alone"])
    expect(seen[4]?.body.messages.map((m) => m.content)).toEqual(["fresh"])
  })

  it("keeps no history of its own: a second agent on the same AgentMemory continues the session", async () => {
    seen.length = 0
    mode = "ok"
    const shared = Layer.succeed(AgentMemory, Effect.runSync(makeMemoryAgentMemory()))
    await respond(openaiOn(shared), { ...sampleAgentRequest, text: "I am instance A's user" })
    await respond(openaiOn(shared), { ...sampleAgentRequest, text: "who am I?" })
    expect(seen[1]?.body.messages).toEqual([
      { role: "user", content: "I am instance A's user" },
      { role: "assistant", content: "echo: I am instance A's user" },
      { role: "user", content: "who am I?" },
    ])
  })

  it("fails as unavailable when the history cannot be loaded, without asking the model", async () => {
    seen.length = 0
    mode = "ok"
    await expect(respond(openaiOn(unavailableMemory(["load"])))).rejects.toMatchObject({
      _tag: "AgentFailed",
      reason: "unavailable",
    })
    expect(seen).toHaveLength(0)
  })

  it("still answers when the turn cannot be remembered, and reports a reset that could not clear the history", async () => {
    mode = "ok"
    const layer = openaiOn(unavailableMemory(["append", "reset"]))
    const { reply, resetError } = await Effect.runPromise(
      Effect.gen(function* () {
        const agent = yield* Agent
        const resetError = yield* agent.reset(sampleAgentRequest.sessionKey).pipe(Effect.flip)
        const reply = yield* collectAnswer(agent.respond({ ...sampleAgentRequest, text: "still" }))
        return { reply, resetError }
      }).pipe(Effect.provide(layer)),
    )
    expect(reply).toBe("echo: still")
    expect(resetError).toMatchObject({ _tag: "AgentFailed", reason: "unavailable" })
  })

  it("sends pictures as image parts", async () => {
    seen.length = 0
    mode = "ok"
    const dir = mkdtempSync(join(tmpdir(), "agent-"))
    const path = join(dir, "a.png")
    writeFileSync(path, new Uint8Array([0x89, 0x50, 0x4e, 0x47]))
    await respond(openai(), {
      ...sampleAgentRequest,
      attachments: [{ kind: "picture", path, contentType: "image/png" }],
    })
    const content = seen[0]?.body.messages.at(-1)?.content as Array<{
      type: string
      image_url?: { url: string }
    }>
    expect(content.map((part) => part.type)).toEqual(["text", "image_url"])
    expect(content[1]?.image_url?.url).toBe("data:image/png;base64,iVBORw==")
  })

  it("fails clearly on timeouts and rejections, never echoing the API key", async () => {
    mode = "slow"
    await expect(respond(openai())).rejects.toMatchObject({ reason: "timeout" })
    mode = "error"
    const error = await respond(openai()).catch((failure: unknown) => failure)
    expect(error).toMatchObject({ _tag: "AgentFailed", reason: "rejected" })
    expect(JSON.stringify(error)).not.toContain("sk-test-123")
    mode = "ok"
  })

  it("sends a request again when the endpoint closed the connection without answering", async () => {
    seen.length = 0
    mode = "hang-up-once"
    const reply = await respond(openai(), { ...sampleAgentRequest, text: "again" })
    expect(reply).toBe("echo: again")
    expect(seen).toHaveLength(2)
  })

  it("gives up after three unanswered attempts", async () => {
    seen.length = 0
    mode = "hang-up"
    await expect(respond(openai())).rejects.toMatchObject({ _tag: "AgentFailed", reason: "unavailable" })
    expect(seen).toHaveLength(3)
    mode = "ok"
  })
})
