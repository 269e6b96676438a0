import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { type SessionWebhookHarness, sessionWebhookContract } from "@openpollen/contracts"
import { SessionWebhook, webhookBody } from "@openpollen/core"
import { type Simulator, startSimulator } from "@openpollen/simulator"
import { maskWebhookUrl, SessionWebhookSender } from "@openpollen/webhook"
import { Effect, Fiber } from "effect"
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
const received: Array<{ contentType: string | undefined; body: unknown }> = []
const send = (url: string, config = { oapiBase: "http://127.0.0.1:1", timeoutMs: 300 }) =>
  Effect.gen(function* () {
    return yield* (yield* SessionWebhook).send(url, message).pipe(Effect.flip)
  }).pipe(Effect.provide(SessionWebhookSender.layer(config)))

const withServer = async (
  handler: Parameters<typeof createServer>[1],
  body: (base: string, hits: () => number, connections: () => number) => Promise<void>,
) => {
  let hits = 0
  let connections = 0
  const server: Server = createServer((request, response) => {
    hits += 1
    handler?.(request, response)
  })
  server.on("connection", () => {
    connections += 1
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    await body(
      base,
      () => hits,
      () => connections,
    )
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

  it("reports a 5xx as ambiguous without sending again, and never puts the session id in the error", async () => {
    await withServer(
      (_request, response) => response.writeHead(502).end("bad gateway"),
      async (base, hits) => {
        const error = await Effect.runPromise(
          send(`${base}/robot/sendBySession?session=0123456789abcdef`, { oapiBase: base, timeoutMs: 1_000 }),
        )
        expect(error).toMatchObject({
          _tag: "WebhookFailed",
          reason: "http",
          status: 502,
          certainty: "ambiguous",
        })
        expect(hits()).toBe(1)
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

  it("times out a webhook that answers its headers but stalls the body", async () => {
    await withServer(
      (_request, response) => {
        response.writeHead(200, { "content-type": "application/json" })
        response.write('{"errcode":')
      },
      async (base, hits) => {
        const error = await Effect.runPromise(
          send(`${base}/robot/sendBySession?session=ff`, { oapiBase: base, timeoutMs: 300 }),
        )
        expect(error).toMatchObject({ _tag: "WebhookFailed", reason: "timeout" })
        expect(hits()).toBe(1)
      },
    )
  })

  it("does not parse an answer over 64 KiB", async () => {
    await withServer(
      (_request, response) => {
        const padding = "x".repeat(70 * 1024)
        response.writeHead(200, { "content-type": "application/json" })
        response.end(JSON.stringify({ errcode: 0, padding }))
      },
      async (base) => {
        const error = await Effect.runPromise(
          send(`${base}/robot/sendBySession?session=ff`, { oapiBase: base, timeoutMs: 1_000 }),
        )
        expect(error).toMatchObject({ _tag: "WebhookFailed", reason: "http", status: 200 })
      },
    )
  })

  /** Answers `{"errcode":0}` once the request's body is read; `afterAnswer` may then act on the socket. */
  const answerOk =
    (afterAnswer?: (request: IncomingMessage) => void): Parameters<typeof createServer>[1] =>
    (request, response) => {
      request.resume()
      request.on("end", () => {
        response.writeHead(200, { "content-type": "application/json" }).end('{"errcode":0}')
        response.on("finish", () => afterAnswer?.(request))
      })
    }
  const sendEach = (base: string, sends: number, pauseMs: number) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const webhook = yield* SessionWebhook
        const failures: Array<string> = []
        for (let round = 0; round < sends; round++) {
          const failure = yield* webhook
            .send(`${base}/robot/sendBySession?session=s${round}`, message)
            .pipe(Effect.match({ onFailure: (error) => error.message, onSuccess: () => undefined }))
          if (failure !== undefined) failures.push(failure)
          if (pauseMs > 0) yield* Effect.sleep(pauseMs)
        }
        return failures
      }).pipe(Effect.provide(SessionWebhookSender.layer({ oapiBase: base, timeoutMs: 1_000 }))),
    )

  it("keeps delivering when the server closes a kept-alive socket between sends", async () => {
    // Closes the socket right after answering, as a server whose keep-alive timeout ran out would.
    await withServer(
      answerOk((request) => setTimeout(() => request.socket.destroy(), 5)),
      async (base, _hits, connections) => {
        expect(await sendEach(base, 5, 30)).toEqual([])
        expect(connections()).toBe(5)
      },
    )
  })

  it("sends one reply after another over kept-alive connections, not one connection each", async () => {
    await withServer(answerOk(), async (base, _hits, connections) => {
      expect(await sendEach(base, 20, 0)).toEqual([])
      // A send that starts as the previous answer ends may find its connection not yet free and open a second one.
      expect(connections()).toBeLessThanOrEqual(2)
    })
  })

  it("aborts the request when the send is interrupted, not only when the sender closes", async () => {
    let closed = 0
    await withServer(
      (request) => {
        request.socket.on("close", () => {
          closed += 1
        })
      },
      async (base) => {
        const closedAfterInterrupt = await Effect.runPromise(
          Effect.gen(function* () {
            const webhook = yield* SessionWebhook
            const fiber = yield* Effect.forkChild(
              webhook.send(`${base}/robot/sendBySession?session=ff`, message),
            )
            yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
            yield* Fiber.interrupt(fiber)
            yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
            return closed
          }).pipe(Effect.provide(SessionWebhookSender.layer({ oapiBase: base, timeoutMs: 10_000 }))),
        )
        expect(closedAfterInterrupt).toBe(1)
      },
    )
  })

  it("treats other errcodes and bodies without errcode as failures", async () => {
    await withServer(
      (request, response) => {
        const body = request.url?.includes("s=1")
          ? { errcode: 130101, errmsg: `send too fast for ${request.url}` }
          : { ok: true }
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body))
      },
      async (base) => {
        const echoed = await Effect.runPromise(
          send(`${base}/x?s=1&session=echoed-session-9`, { oapiBase: base, timeoutMs: 1_000 }),
        )
        expect(echoed).toMatchObject({ reason: "errcode", errcode: 130101 })
        expect(echoed.message).toContain("send too fast")
        expect(echoed.message).not.toContain("echoed-session-9")
        expect(
          await Effect.runPromise(send(`${base}/x?s=2`, { oapiBase: base, timeoutMs: 1_000 })),
        ).toMatchObject({
          reason: "http",
          status: 200,
        })
      },
    )
  })

  it("refuses another origin, a lookalike port and a non-http scheme without making a request", async () => {
    await withServer(
      (_request, response) => response.writeHead(200).end('{"errcode":0}'),
      async (base, hits) => {
        const trusted = { oapiBase: base, timeoutMs: 1_000 }
        const lookalike = base.replace("127.0.0.1", "localhost")
        const otherPort = `${base.slice(0, base.lastIndexOf(":"))}:1`
        for (const url of [`${lookalike}/x?session=s1`, `${otherPort}/x?session=s1`, "ftp://127.0.0.1/x"])
          expect(await Effect.runPromise(send(url, trusted))).toMatchObject({ reason: "untrusted-url" })
        expect(hits()).toBe(0)
      },
    )
  })

  it("reports a dropped connection as ambiguous without sending again, and without the session", async () => {
    await withServer(
      (request) => request.socket.destroy(),
      async (base, hits) => {
        const error = await Effect.runPromise(
          send(`${base}/robot/sendBySession?session=secret-session-42`, { oapiBase: base, timeoutMs: 1_000 }),
        )
        expect(error).toMatchObject({ _tag: "WebhookFailed", reason: "network", certainty: "ambiguous" })
        expect(hits()).toBe(1)
        expect(JSON.stringify(error)).not.toContain("secret-session-42")
        expect(String(error)).not.toContain("secret-session-42")
      },
    )
  })

  it("reports a refused connection as certainly not delivered", async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer()
      probe.listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as AddressInfo
        probe.close(() => resolve(port))
      })
    })
    const base = `http://127.0.0.1:${closed}`
    const error = await Effect.runPromise(
      send(`${base}/robot/sendBySession?session=ff`, { oapiBase: base, timeoutMs: 1_000 }),
    )
    expect(error).toMatchObject({ _tag: "WebhookFailed", reason: "network", certainty: "certain" })
  })

  it("does not retry a 4xx, nor follow a redirect off the origin", async () => {
    const paths: Array<string> = []
    await withServer(
      (request, response) => {
        paths.push(request.url ?? "")
        const port = (request.socket.localPort ?? 0).toString()
        if (request.url?.startsWith("/moved"))
          response.writeHead(307, { location: `http://localhost:${port}/steal` }).end()
        else if (request.url?.startsWith("/steal")) response.writeHead(200).end('{"errcode":0}')
        else response.writeHead(403).end("forbidden")
      },
      async (base) => {
        const config = { oapiBase: base, timeoutMs: 1_000 }
        expect(await Effect.runPromise(send(`${base}/x?session=a`, config))).toMatchObject({
          reason: "http",
          status: 403,
        })
        expect(paths).toEqual(["/x?session=a"])
        expect(await Effect.runPromise(send(`${base}/moved?session=a`, config))).toMatchObject({
          _tag: "WebhookFailed",
        })
        expect(paths.filter((path) => path.startsWith("/steal"))).toEqual([])
      },
    )
  })

  it.effect("posts exactly the core's webhookBody as JSON", () =>
    Effect.promise(() =>
      withServer(
        (request, response) => {
          let text = ""
          request.on("data", (chunk: Buffer) => {
            text += chunk.toString("utf8")
          })
          request.on("end", () => {
            received.push({ contentType: request.headers["content-type"], body: JSON.parse(text) })
            response.writeHead(200, { "content-type": "application/json" }).end('{"errcode":0,"errmsg":"ok"}')
          })
        },
        async (base) => {
          const mention = { title: "标题", text: "**hi** @u1", atUserIds: ["u1"] }
          await Effect.runPromise(
            Effect.gen(function* () {
              yield* (yield* SessionWebhook).send(`${base}/robot/sendBySession?session=z`, mention)
            }).pipe(Effect.provide(SessionWebhookSender.layer({ oapiBase: base, timeoutMs: 1_000 }))),
          )
          expect(received).toEqual([
            { contentType: expect.stringContaining("application/json"), body: webhookBody(mention) },
          ])
          expect(webhookBody(mention)).toMatchObject({
            msgtype: "markdown",
            at: { atUserIds: ["u1"], isAtAll: false },
          })
        },
      ),
    ),
  )

  it("masks the session for logs", () => {
    expect(maskWebhookUrl("https://oapi.dingtalk.com/robot/sendBySession?session=3be1f0c4&x=1")).toBe(
      "https://oapi.dingtalk.com/robot/sendBySession?session=***&x=1",
    )
  })
})
