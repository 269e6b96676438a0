import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { anyConnected, type ChannelStatus, type TestStep } from "../channel/ChannelStatus.js"
import type { DeadLetterAccess } from "../channel/DeadLetterAccess.js"
import { bearerMatches } from "./bearerMatches.js"
import { processStatus } from "./processStatus.js"
import { isJsonRequest, loopbackHosts, type OriginPolicy, refuseForeign } from "./requestOrigin.js"

export interface GatewayBackend {
  readonly status: () => Promise<ChannelStatus>
  /** Whether the channel can record messages; unhealthy makes /health answer 503 with the reason. */
  readonly health?: () => Promise<{ readonly ok: boolean; readonly reason?: string }>
  /** `account` absent: every account. Undefined when there is no such account. */
  readonly test?: (to?: string, account?: string) => Promise<ReadonlyArray<TestStep> | undefined>
  /** `account` absent: the first account. Undefined when there is no such account. */
  readonly send?: (
    to: string,
    message: { readonly title?: string; readonly text: string },
    account?: string,
  ) => Promise<{ readonly ok: boolean; readonly detail: string } | undefined>
  readonly deadLetters?: DeadLetterAccess
}

export interface GatewayOptions {
  readonly host: string
  readonly port: number
  readonly apiKey?: Redacted.Redacted<string>
  /** Per-start secret required (besides apiKey) on every POST; the CLI reads it from the run-state file. */
  readonly token: Redacted.Redacted<string>
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"])
export const isLoopback = (host: string) => LOOPBACK.has(host) || host.startsWith("127.")

const TestRequest = Schema.Struct({
  to: Schema.optionalKey(Schema.String),
  account: Schema.optionalKey(Schema.String),
})
const MessageRequest = Schema.Struct({
  channel: Schema.optionalKey(Schema.Literal("dingtalk")),
  account: Schema.optionalKey(Schema.String),
  to: Schema.String.check(Schema.isNonEmpty()),
  text: Schema.String.check(Schema.isNonEmpty()),
  title: Schema.optionalKey(Schema.String),
})

const DeadLetterRequest = Schema.Struct({ id: Schema.String.check(Schema.isNonEmpty()) })

const send = (response: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  })
  response.end(text)
}

const readJson = (request: IncomingMessage): Promise<unknown> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    let size = 0
    request.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size <= 1024 * 1024) chunks.push(chunk)
    })
    request.on("end", () => {
      try {
        resolve(chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString("utf8")))
      } catch {
        resolve(undefined)
      }
    })
    request.on("error", () => resolve(undefined))
  })

/** GET lists (oldest first, `?limit=`, default 100), POST …/retry and …/drop take `{"id"}`. */
const deadLetters = async (
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  access: DeadLetterAccess | undefined,
) => {
  if (access === undefined) return send(response, 409, { error: "the DingTalk channel is not running" })
  const unkept = () =>
    send(response, 409, { error: 'this store keeps no dead letters (store.kind "memory")' })
  if (request.method === "GET" && path === "/api/deadletters") {
    const limit = Number(new URL(request.url ?? "/", "http://gateway").searchParams.get("limit") ?? "100")
    const [count, list] = await Promise.all([
      access.count(),
      access.list(Number.isInteger(limit) && limit > 0 ? Math.min(limit, 10_000) : 100),
    ])
    return count === undefined || list === undefined
      ? unkept()
      : send(response, 200, { count, deadLetters: list })
  }
  const action =
    path === "/api/deadletters/retry"
      ? access.retry
      : path === "/api/deadletters/drop"
        ? access.drop
        : undefined
  if (request.method !== "POST" || action === undefined) return send(response, 404, { error: "not found" })
  const body = Schema.decodeUnknownResult(DeadLetterRequest)(await readJson(request))
  if (Result.isFailure(body)) return send(response, 400, { error: 'expected {"id": string}' })
  const done = await action(body.success.id)
  if (done === undefined) return unkept()
  if (typeof done === "object") return send(response, 400, { error: done.refused })
  return done
    ? send(response, 200, { ok: true, id: body.success.id })
    : send(response, 404, { error: `no dead letter ${body.success.id}` })
}

const noAccount = (response: ServerResponse, account: string | undefined) =>
  send(response, 404, {
    error: `no DingTalk account named "${account ?? ""}" (\`openpollen channel list\` shows them)`,
  })

const authorised = (request: IncomingMessage, secrets: ReadonlyArray<Redacted.Redacted<string>>) =>
  bearerMatches(request.headers.authorization, secrets)

/** The local gateway API: health, status, a channel self-test and proactive sends. */
export const startGateway = async (options: GatewayOptions, backend: GatewayBackend) => {
  if (!isLoopback(options.host) && options.apiKey === undefined)
    throw new Error(`gateway.host ${options.host} is not loopback: set gateway.apiKey to expose the API`)
  const origins = new Set<string>()
  let policy: OriginPolicy = { hosts: new Set(), origins }
  const readKeys = options.apiKey === undefined ? [] : [options.apiKey]
  const writeKeys = [options.token, ...readKeys]
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://gateway").pathname
    const handle = async () => {
      const foreign = refuseForeign(request, policy)
      if (foreign !== undefined) return send(response, foreign.status, { error: foreign.error })
      if (request.method === "POST") {
        if (!isJsonRequest(request))
          return send(response, 415, { error: "send the body as Content-Type: application/json" })
        if (!authorised(request, writeKeys))
          return send(response, 401, {
            error: "missing or wrong token (Authorization: Bearer <token from the run-state file or apiKey>)",
          })
      }
      if (request.method === "GET" && path === "/health") {
        // With several accounts: ok while at least one is connected; each account's state is listed.
        const status = await backend.status()
        const connected = status.mode === "disabled" || anyConnected(status)
        const health = (await backend.health?.()) ?? { ok: true }
        const dingtalk =
          connected && status.mode !== "disabled" ? "Connected" : (status.connection?._tag ?? status.mode)
        const accounts =
          status.accounts === undefined || Object.keys(status.accounts).length < 2
            ? {}
            : {
                accounts: Object.fromEntries(
                  Object.entries(status.accounts).map(([name, account]) => [
                    name,
                    account.connection?._tag ??
                      (account.startError === undefined ? account.mode : "NotStarted"),
                  ]),
                ),
              }
        return health.ok
          ? send(response, 200, { ok: connected, dingtalk, ...accounts })
          : send(response, 503, { ok: false, dingtalk, ...accounts, store: health.reason })
      }
      if (readKeys.length > 0 && !authorised(request, writeKeys))
        return send(response, 401, { error: "missing or wrong API key (Authorization: Bearer …)" })
      if (request.method === "GET" && path === "/api/status")
        return send(response, 200, { channels: [await backend.status()], process: processStatus() })
      if (request.method === "POST" && path === "/api/channels/dingtalk/test") {
        if (backend.test === undefined)
          return send(response, 409, { error: "the DingTalk channel is not running" })
        const body = Schema.decodeUnknownResult(TestRequest)(await readJson(request))
        if (Result.isFailure(body))
          return send(response, 400, { error: 'expected {"to"?: string, "account"?: string}' })
        const steps = await backend.test(body.success.to, body.success.account)
        if (steps === undefined) return noAccount(response, body.success.account)
        return send(response, steps.every((step) => step.ok) ? 200 : 502, { steps })
      }
      if (request.method === "POST" && path === "/api/messages") {
        if (backend.send === undefined)
          return send(response, 409, { error: "the DingTalk channel is not running" })
        const body = Schema.decodeUnknownResult(MessageRequest)(await readJson(request))
        if (Result.isFailure(body))
          return send(response, 400, {
            error: 'expected {"to": string, "text": string, "title"?: string, "account"?: string}',
          })
        const { to, text, title, account } = body.success
        const result = await backend.send(to, { text, ...(title === undefined ? {} : { title }) }, account)
        if (result === undefined) return noAccount(response, account)
        return send(response, result.ok ? 200 : 502, result)
      }
      if (path === "/api/deadletters" || path.startsWith("/api/deadletters/"))
        return deadLetters(request, response, path, backend.deadLetters)
      return send(response, 404, { error: "not found" })
    }
    handle().catch(() => send(response, 500, { error: "internal error" }))
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const address = server.address() as AddressInfo
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address
  policy = {
    hosts: isLoopback(options.host) ? loopbackHosts(address.address, address.port) : undefined,
    origins,
  }
  return {
    url: `http://${host}:${address.port}`,
    /** Lets a page of this bot (the sandbox, on its own port) call the gateway from a browser. */
    allowOrigin: (origin: string) => {
      origins.add(new URL(origin).origin.toLowerCase())
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
