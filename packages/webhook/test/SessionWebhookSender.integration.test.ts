import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { type SessionWebhookHarness, sessionWebhookContract } from "@openpollen/contracts"
import { SessionWebhook } from "@openpollen/core"
import { type Simulator, startSimulator } from "@openpollen/simulator"
import { maskWebhookUrl, SessionWebhookSender } from "@openpollen/webhook"
import { Effect } from "effect"
import { afterAll, beforeAll } from "vitest"

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator()
})
afterAll(async () => {
  await sim.close()
})

const harness = (): SessionWebhookHarness<never> => ({
  layer: SessionWebhookSender.layer({ oapiBase: sim.url, timeoutMs: 5_000 }),
  liveWebhook: async () => {
    const user = sim.addUser({ nick: "契约" })
    const group = sim.group({ title: "contract", members: [user] })
    const { sessionWebhook } = await sim.sendText(group, user, "hi")
    return { url: sessionWebhook, conversationId: group.id }
  },
  expire: async (_url, conversationId) => sim.expireWebhooks(conversationId),
  received: async (conversationId) =>
    sim.replies
      .filter((reply) => reply.conversationId === conversationId && reply.via === "webhook")
      .map((reply) => ({ title: reply.title ?? "", text: reply.text, atUserIds: reply.atUserIds })),
})

sessionWebhookContract("SessionWebhookSender against the simulator", harness)

const message = { title: "t", text: "hello", atUserIds: [] }
const send = (url: string, config = { oapiBase: "http://127.0.0.1:1", timeoutMs: 300 }) =>
  Effect.gen(function* () {
    return yield* (yield* SessionWebhook).send(url, message).pipe(Effect.flip)
  }).pipe(Effect.provide(SessionWebhookSender.layer(config)))

const withServer = async (
  handler: Parameters<typeof createServer>[1],
  body: (base: string, hits: () => number) => Promise<void>,
) => {
  let hits = 0
  const server: Server = createServer((request, response) => {
    hits += 1
    handler?.(request, response)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    await body(base, () => hits)
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

describe("SessionWebhookSender", () => {
  it.effect("refuses a webhook outside the configured origin without calling it", () =>
    Effect.gen(function* () {
      const error = yield* send("https://evil.example/robot/sendBySession?session=abcdef", {
        oapiBase: "https://oapi.dingtalk.com",
        timeoutMs: 300,
      })
      expect(error).toMatchObject({ _tag: "WebhookFailed", reason: "untrusted-url" })
      expect(yield* send("file:///etc/passwd")).toMatchObject({ reason: "untrusted-url" })
      expect(yield* send("not a url")).toMatchObject({ reason: "untrusted-url" })
    }),
  )

  it("reports HTTP failures after one retry, and never puts the session id in the error", async () => {
    await withServer(
      (_request, response) => response.writeHead(502).end("bad gateway"),
      async (base, hits) => {
        const error = await Effect.runPromise(
          send(`${base}/robot/sendBySession?session=0123456789abcdef`, { oapiBase: base, timeoutMs: 1_000 }),
        )
        expect(error).toMatchObject({ _tag: "WebhookFailed", reason: "http", status: 502 })
        expect(hits()).toBe(2)
        expect(JSON.stringify(error)).not.toContain("0123456789abcdef")
        expect(String(error)).not.toContain("0123456789abcdef")
      },
    )
  })

  it("times out a webhook that never answers, without retrying it", async () => {
    await withServer(
      () => {},
      async (base, hits) => {
        const error = await Effect.runPromise(
          send(`${base}/robot/sendBySession?session=ff`, { oapiBase: base, timeoutMs: 200 }),
        )
        expect(error).toMatchObject({ _tag: "WebhookFailed", reason: "timeout" })
        expect(hits()).toBe(1)
      },
    )
  })

  it("treats other errcodes and bodies without errcode as failures", async () => {
    await withServer(
      (request, response) => {
        const body = request.url?.includes("s=1")
          ? { errcode: 130101, errmsg: "send too fast" }
          : { ok: true }
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body))
      },
      async (base) => {
        expect(
          await Effect.runPromise(send(`${base}/x?s=1`, { oapiBase: base, timeoutMs: 1_000 })),
        ).toMatchObject({
          reason: "errcode",
          errcode: 130101,
        })
        expect(
          await Effect.runPromise(send(`${base}/x?s=2`, { oapiBase: base, timeoutMs: 1_000 })),
        ).toMatchObject({
          reason: "http",
          status: 200,
        })
      },
    )
  })

  it("masks the session for logs", () => {
    expect(maskWebhookUrl("https://oapi.dingtalk.com/robot/sendBySession?session=3be1f0c4&x=1")).toBe(
      "https://oapi.dingtalk.com/robot/sendBySession?session=***&x=1",
    )
  })
})
