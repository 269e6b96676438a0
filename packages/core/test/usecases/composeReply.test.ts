import { describe, expect, it } from "@effect/vitest"
import {
  Agent,
  AgentEvent,
  AgentFailed,
  ConversationLease,
  ConversationLeaseError,
  composeReply,
  decodeCallback,
  FRIENDLY_REPLIES,
  type InboundMessage,
} from "@openpollen/core"
import {
  makeFakeMediaSource,
  makeMemoryFileStore,
  makeScriptedAgent,
  scriptedChunks,
} from "@openpollen/core/testing"
import { Effect, Fiber, Layer, Result, Stream } from "effect"
import { TestClock } from "effect/testing"
import { loadFixture } from "../fixtures/loadFixture.js"

const message = (text: string): InboundMessage => {
  const decoded = decodeCallback({ ...loadFixture("dm-text"), text: { content: text } })
  if (Result.isFailure(decoded)) throw new Error("the fixture does not decode")
  return decoded.success
}

/** Attachment downloads, unused by text messages but required by composeReply. */
const downloads = () =>
  Layer.merge(makeFakeMediaSource().layer, makeMemoryFileStore({ maxBytes: 1024 }).layer)

/** A lease that records which key each effect ran under, or that cannot be had at all. */
const recordingLease = (log: Array<string>, available = true) =>
  Layer.succeed(
    ConversationLease,
    ConversationLease.of({
      withLease: (key, effect) =>
        available
          ? Effect.sync(() => log.push(`hold ${key}`)).pipe(
              Effect.andThen(effect),
              Effect.ensuring(Effect.sync(() => log.push(`free ${key}`))),
            )
          : Effect.fail(new ConversationLeaseError({ message: "redis 127.0.0.1:6379: timed out" })),
    }),
  )

describe("composeReply with a ConversationLease", () => {
  it.effect("asks the agent, and resets a session, while holding the conversation's lease", () => {
    const agent = makeScriptedAgent((request) => Effect.succeed({ markdown: `answer to ${request.text}` }))
    const log: Array<string> = []
    return Effect.gen(function* () {
      const answer = yield* composeReply(message("你好"), "dm:session", "robot:cid==")
      yield* composeReply(message("/reset"), "dm:session", "robot:cid==")
      expect(answer).toEqual({ kind: "answer", markdown: "answer to 你好" })
      expect(log).toEqual(["hold robot:cid==", "free robot:cid==", "hold robot:cid==", "free robot:cid=="])
      expect(agent.resets).toEqual(["dm:session"])
    }).pipe(Effect.provide(Layer.mergeAll(agent.layer, recordingLease(log), downloads())))
  })

  it.effect("answers without the lease when it cannot be had", () => {
    const agent = makeScriptedAgent()
    return Effect.gen(function* () {
      expect(yield* composeReply(message("还在吗"), "dm:session", "robot:cid==")).toEqual({
        kind: "answer",
        markdown: "还在吗",
      })
    }).pipe(Effect.provide(Layer.mergeAll(agent.layer, recordingLease([], false), downloads())))
  })

  it.effect("runs unleased when no ConversationLease is provided", () =>
    Effect.gen(function* () {
      expect((yield* composeReply(message("单实例"), "dm:session")).markdown).toBe("单实例")
    }).pipe(Effect.provide(Layer.merge(makeScriptedAgent().layer, downloads()))),
  )
})

describe("composeReply on a session reset", () => {
  it.effect("confirms the reset only when the agent forgot the session, and apologises otherwise", () => {
    const failingReset = Layer.succeed(
      Agent,
      Agent.of({
        respond: (request) => Stream.make(AgentEvent.textDelta(request.text)),
        reset: () =>
          Effect.fail(new AgentFailed({ reason: "unavailable", message: "history store unreachable" })),
      }),
    )
    return Effect.gen(function* () {
      expect(yield* composeReply(message("/new"), "dm:session")).toEqual({
        kind: "apology",
        markdown: FRIENDLY_REPLIES.resetFailed,
      })
      expect(
        yield* composeReply(message("/reset"), "dm:session").pipe(Effect.provide(makeScriptedAgent().layer)),
      ).toEqual({ kind: "command", markdown: FRIENDLY_REPLIES.sessionReset })
    }).pipe(Effect.provide(Layer.merge(failingReset, downloads())))
  })
})

describe("composeReply with a streaming agent", () => {
  it.effect("replies with the TextDeltas concatenated, leaving Status events out", () => {
    const agent = makeScriptedAgent(() =>
      scriptedChunks(["第一段", AgentEvent.status("reading notes.pdf"), "，第二段", "。"], "10 millis"),
    )
    return Effect.gen(function* () {
      const fiber = yield* composeReply(message("读一下"), "dm:session").pipe(Effect.forkChild)
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toEqual({ kind: "answer", markdown: "第一段，第二段。" })
    }).pipe(Effect.provide(Layer.merge(agent.layer, downloads())))
  })

  it.effect("apologises instead of sending half an answer when the stream fails midway", () => {
    const agent = makeScriptedAgent(() =>
      Stream.concat(
        scriptedChunks(["half of"]),
        Stream.fail(new AgentFailed({ reason: "unavailable", message: "the stream was cut" })),
      ),
    )
    return Effect.gen(function* () {
      expect(yield* composeReply(message("你好"), "dm:session")).toEqual({
        kind: "apology",
        markdown: FRIENDLY_REPLIES.agentFailed,
      })
    }).pipe(Effect.provide(Layer.merge(agent.layer, downloads())))
  })
})
