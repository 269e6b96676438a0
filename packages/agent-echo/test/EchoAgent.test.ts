import { describe, expect, it } from "@effect/vitest"
import { agentContract, sampleAgentRequest } from "@openpollen/contracts"
import { Agent, type AgentEvent, collectAnswer } from "@openpollen/core"
import { Effect, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { EchoAgent, EMPTY_ECHO } from "../src/index.js"

agentContract("EchoAgent", () => ({
  layer: EchoAgent.layer(),
  answer: sampleAgentRequest.text,
  slow: () => EchoAgent.layer({ chunkDelayMs: 3_600_000 }),
}))

const withFiles = {
  ...sampleAgentRequest,
  attachments: [
    { kind: "picture", path: "/home/u/uploads/a.png" },
    { kind: "file", path: "/home/u/uploads/sub/b.pdf" },
    { kind: "file", path: "/elsewhere/c.txt" },
  ],
} as const

const events = () =>
  Effect.gen(function* () {
    return yield* Stream.runCollect((yield* Agent).respond(withFiles))
  })

describe("EchoAgent", () => {
  it.effect("streams the text, then each saved file's path relative to the uploads folder", () =>
    Effect.gen(function* () {
      const sent: ReadonlyArray<AgentEvent> = yield* events()
      expect(sent).toEqual([
        { _tag: "TextDelta", text: "你好" },
        { _tag: "TextDelta", text: "\n\na.png" },
        { _tag: "TextDelta", text: "\n\nsub/b.pdf" },
        { _tag: "TextDelta", text: "\n\n/elsewhere/c.txt" },
      ])
    }).pipe(Effect.provide(EchoAgent.layer({ uploadsDir: "/home/u/uploads" }))),
  )

  it.effect("pauses chunkDelayMs before each chunk", () =>
    Effect.gen(function* () {
      const received: Array<string> = []
      const agent = yield* Agent
      const fiber = yield* agent.respond(withFiles).pipe(
        Stream.runForEach((event) => Effect.sync(() => void received.push(event.text))),
        Effect.forkChild,
      )
      yield* TestClock.adjust("150 millis")
      expect(received).toEqual([])
      yield* TestClock.adjust("100 millis")
      expect(received).toEqual(["你好"])
      yield* TestClock.adjust("200 millis")
      expect(received).toHaveLength(2)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(received).toHaveLength(4)
    }).pipe(Effect.provide(EchoAgent.layer({ uploadsDir: "/home/u/uploads", chunkDelayMs: 200 }))),
  )

  it.effect("shows the quote first: its text and the paths of its files on one '>' line", () =>
    Effect.gen(function* () {
      const reply = yield* collectAnswer(
        (yield* Agent).respond({
          ...sampleAgentRequest,
          quotedText: "部署脚本\n报错了",
          attachments: [
            { kind: "picture", path: "/u/own.png" },
            { kind: "file", path: "/u/quoted.xlsx", fileName: "报表.xlsx", quoted: true },
          ],
        }),
      )
      expect(reply).toBe("> 部署脚本 报错了 quoted.xlsx\n\n你好\n\nown.png")
    }).pipe(Effect.provide(EchoAgent.layer({ uploadsDir: "/u" }))),
  )

  it.effect("answers an empty message with a placeholder", () =>
    Effect.gen(function* () {
      const sent = yield* Stream.runCollect((yield* Agent).respond({ ...sampleAgentRequest, text: "" }))
      expect(sent.map((event) => event.text)).toEqual([EMPTY_ECHO])
    }).pipe(Effect.provide(EchoAgent.layer())),
  )
})
