import { describe, expect, it } from "@effect/vitest"
import { mediaSourceContract, robotMessengerContract } from "@openpollen/contracts"
import { MediaSource, RobotMessenger } from "@openpollen/core"
import { AccessTokens } from "@openpollen/openapi"
import { type Simulator, startSimulator } from "@openpollen/simulator"
import { Effect, Redacted, Stream } from "effect"
import { TestClock } from "effect/testing"
import { afterAll, beforeAll } from "vitest"
import { openApiFor } from "./support.js"

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({ tokenExpireInSeconds: 7200 })
})
afterAll(async () => {
  await sim.close()
})

mediaSourceContract("OpenApi MediaSource against the simulator", () => ({
  layer: openApiFor(sim),
  register: async (bytes, contentType) => sim.registerMedia(bytes, contentType),
}))

robotMessengerContract("OpenApi RobotMessenger against the simulator", () => ({
  layer: openApiFor(sim),
  group: async () => sim.group({ title: "g", members: [] }).id,
  user: async () => sim.addUser({ nick: "u" }).staffId ?? "",
  unreachableUser: async () => "staff-not-in-org",
  receivedByGroup: async (id) =>
    sim.replies.filter((reply) => reply.conversationId === id).map((reply) => reply.text),
  receivedByUser: async (staffId) =>
    sim.replies.filter((reply) => reply.userIds?.includes(staffId)).map((reply) => reply.text),
}))

const message = { title: "t", text: "hello", atUserIds: [] }

describe("AccessTokens", () => {
  it.effect("shares one token request among 50 concurrent callers", () =>
    Effect.gen(function* () {
      sim.resetCounters()
      const tokens = yield* AccessTokens
      const all = yield* Effect.all(
        Array.from({ length: 50 }, () => tokens.get),
        { concurrency: "unbounded" },
      )
      expect(new Set(all.map(Redacted.value)).size).toBe(1)
      expect(sim.counters.tokenCalls).toBe(1)
    }).pipe(Effect.provide(openApiFor(sim))),
  )

  it.effect("refreshes five minutes before expiry, not earlier", () =>
    Effect.gen(function* () {
      sim.resetCounters()
      const tokens = yield* AccessTokens
      yield* tokens.get
      yield* TestClock.adjust("114 minutes")
      yield* tokens.get
      expect(sim.counters.tokenCalls).toBe(1)
      yield* TestClock.adjust("61 seconds")
      yield* tokens.get
      expect(sim.counters.tokenCalls).toBe(2)
    }).pipe(Effect.provide(openApiFor(sim))),
  )

  it.effect("reports rejected credentials without the secret", () =>
    Effect.gen(function* () {
      const error = yield* (yield* AccessTokens).get.pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "TokenUnavailable", reason: "credentials" })
      expect(JSON.stringify(error)).not.toContain("wrong-secret-value")
    }).pipe(Effect.provide(openApiFor(sim, { clientSecret: Redacted.make("wrong-secret-value") }))),
  )
})

describe("OpenApi RobotMessenger", () => {
  it.live("refreshes the token and retries once on InvalidAuthentication", () =>
    Effect.gen(function* () {
      const group = sim.group({ title: "g", members: [] })
      const messenger = yield* RobotMessenger
      yield* messenger.sendToGroup(group.id, message)
      sim.resetCounters()
      sim.revokeTokens()
      yield* messenger.sendToGroup(group.id, message)
      expect(sim.counters.tokensIssued).toBe(1)
      expect(sim.counters.groupSends).toBe(2)
      expect(sim.replies.filter((reply) => reply.conversationId === group.id)).toHaveLength(2)
    }).pipe(Effect.provide(openApiFor(sim))),
  )

  it.live("retries 403 QPS throttling with backoff until delivered", () =>
    Effect.gen(function* () {
      const group = sim.group({ title: "g", members: [] })
      sim.setFault("groupSend", { throttle: true, times: 2 })
      const started = Date.now()
      yield* (yield* RobotMessenger).sendToGroup(group.id, message)
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)
      expect(sim.replies.filter((reply) => reply.conversationId === group.id)).toHaveLength(1)
    }).pipe(Effect.provide(openApiFor(sim))),
  )

  it.live("does not send again after a 5xx answer, which leaves the delivery unknown", () =>
    Effect.gen(function* () {
      const group = sim.group({ title: "g", members: [] })
      sim.resetCounters()
      sim.setFault("groupSend", { status: 503, times: 1 })
      const error = yield* (yield* RobotMessenger).sendToGroup(group.id, message).pipe(Effect.flip)
      expect(error).toMatchObject({ reason: "http", status: 503, certainty: "ambiguous" })
      expect(sim.counters.groupSends).toBe(1)
    }).pipe(Effect.provide(openApiFor(sim))),
  )

  it.live("retries a send through a token endpoint outage (three 500s), with backoff, until delivered", () =>
    Effect.gen(function* () {
      const group = sim.group({ title: "g", members: [] })
      sim.resetCounters()
      sim.setFault("token", { status: 500, times: 3 })
      yield* (yield* RobotMessenger).sendToGroup(group.id, message)
      expect(sim.counters.tokenCalls).toBe(4)
      expect(sim.counters.groupSends).toBe(1)
      expect(sim.replies.filter((reply) => reply.conversationId === group.id)).toHaveLength(1)
    }).pipe(Effect.provide(openApiFor(sim))),
  )

  it.live("does not retry a send whose token request was refused for bad credentials", () =>
    Effect.gen(function* () {
      const group = sim.group({ title: "g", members: [] })
      sim.resetCounters()
      const error = yield* (yield* RobotMessenger).sendToGroup(group.id, message).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "RobotSendFailed", reason: "credentials", retryable: false })
      expect(sim.counters.tokenCalls).toBe(1)
    }).pipe(Effect.provide(openApiFor(sim, { clientSecret: Redacted.make("wrong-secret-value") }))),
  )

  it.live(
    "gives up on a request that never answers",
    () =>
      Effect.gen(function* () {
        const group = sim.group({ title: "g", members: [] })
        sim.setFault("groupSend", { hang: true })
        const error = yield* (yield* RobotMessenger).sendToGroup(group.id, message).pipe(Effect.flip)
        sim.clearFault("groupSend")
        expect(error).toMatchObject({ _tag: "RobotSendFailed" })
        expect(sim.replies.filter((reply) => reply.conversationId === group.id)).toHaveLength(0)
      }).pipe(Effect.provide(openApiFor(sim, { requestTimeoutMs: 300 }))),
    20_000,
  )

  it.live("sends 45 users in three batchSend calls", () =>
    Effect.gen(function* () {
      const users = Array.from({ length: 45 }, () => sim.addUser({ nick: "u" }).staffId ?? "")
      sim.resetCounters()
      yield* (yield* RobotMessenger).sendToUsers(users, message)
      expect(sim.counters.batchSends).toBe(3)
    }).pipe(Effect.provide(openApiFor(sim))),
  )

  it.live("keeps the app under its QPS", () =>
    Effect.gen(function* () {
      const group = sim.group({ title: "g", members: [] })
      const messenger = yield* RobotMessenger
      const started = Date.now()
      yield* Effect.all(
        Array.from({ length: 45 }, () => messenger.sendToGroup(group.id, message)),
        { concurrency: "unbounded" },
      )
      const elapsed = Date.now() - started
      expect(elapsed).toBeGreaterThanOrEqual(1_950)
      const times = sim.replies
        .filter((reply) => reply.conversationId === group.id)
        .map((reply) => reply.receivedAt)
      const first = Math.min(...times)
      expect(times.filter((time) => time < first + 900).length).toBeLessThanOrEqual(20)
    }).pipe(Effect.provide(openApiFor(sim, { qps: 20 }))),
  )

  it.live("names the missing scope when permission is denied", () =>
    Effect.gen(function* () {
      sim.setFault("groupSend", { permissionDenied: true, times: 1 })
      const error = yield* (yield* RobotMessenger)
        .sendToGroup(sim.group({ title: "g", members: [] }).id, message)
        .pipe(Effect.flip)
      expect(error).toMatchObject({ reason: "permission", retryable: false })
      expect(error.message).toContain("qyapi_robot_sendmsg")
    }).pipe(Effect.provide(openApiFor(sim))),
  )
})

describe("OpenApi MediaSource", () => {
  it.live("streams a 100 MB file holding far less than its size in memory", () =>
    Effect.gen(function* () {
      const code = sim.registerGeneratedMedia(100 * 1024 * 1024, "image/jpeg")
      const before = process.memoryUsage().arrayBuffers
      let peak = before
      const started = Date.now()
      const body = yield* (yield* MediaSource).open(code)
      const total = yield* Stream.runFold(
        body.bytes,
        () => 0,
        (sum, chunk) => {
          peak = Math.max(peak, process.memoryUsage().arrayBuffers)
          return sum + chunk.length
        },
      )
      expect(total).toBe(100 * 1024 * 1024)
      expect(body.contentType).toBe("image/jpeg")
      // The simulator serving the bytes shares this process, so its buffers count too; a buffered download holds 100 MB.
      expect((peak - before) / 1024 / 1024).toBeLessThan(50)
      expect(Date.now() - started).toBeLessThan(15_000)
    }).pipe(Effect.provide(openApiFor(sim, { download: { maxBytes: 128 * 1024 * 1024 } }))),
  )

  it.live("holds almost no buffers while downloading when each chunk is released once used", () =>
    Effect.gen(function* () {
      const size = 40 * 1024 * 1024
      const code = sim.registerGeneratedMedia(size, "image/jpeg")
      const body = yield* (yield* MediaSource).open(code)
      const before = process.memoryUsage().arrayBuffers
      let peak = before
      const total = yield* Stream.runFold(
        body.bytes,
        () => 0,
        (sum, chunk) => {
          peak = Math.max(peak, process.memoryUsage().arrayBuffers)
          const length = chunk.length
          body.release?.(chunk)
          return sum + length
        },
      )
      expect(total).toBe(size)
      // Socket reads and body chunks each used to be a fresh buffer that only V8's next GC freed: ~32 MB of them.
      expect((peak - before) / 1024 / 1024).toBeLessThan(8)
    }).pipe(Effect.provide(openApiFor(sim, { download: { maxBytes: 64 * 1024 * 1024 } }))),
  )

  it.live("refuses a download over the cap", () =>
    Effect.gen(function* () {
      const code = sim.registerGeneratedMedia(2 * 1024 * 1024)
      const error = yield* (yield* MediaSource).open(code).pipe(
        Effect.flatMap((body) => Stream.runDrain(body.bytes)),
        Effect.flip,
      )
      expect(error).toMatchObject({ _tag: "DownloadFailed", reason: "too-large" })
    }).pipe(Effect.provide(openApiFor(sim, { download: { maxBytes: 1024 * 1024 } }))),
  )
})
