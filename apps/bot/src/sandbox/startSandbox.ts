import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type { GroupPolicy } from "@openpollen/core"
import type { SimCard, SimConversation, SimUser, Simulator } from "@openpollen/simulator"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { renderCardMarkdown, renderMarkdown } from "./renderMarkdown.js"
import { mediaHtml, sandboxContentPolicy } from "./sandboxMedia.js"
import { sandboxPage } from "./sandboxPage.js"
import { SandboxInputError, SandboxMessage, sendFromSandbox } from "./sendFromSandbox.js"

export interface SandboxOptions {
  readonly simulator: Simulator
  readonly host: string
  readonly port: number
  readonly groupPolicy?: GroupPolicy
}

const NewUser = Schema.Struct({ nick: Schema.String.check(Schema.isNonEmpty()) })
const MAX_BODY = 15 * 1024 * 1024

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8" })
  response.end(JSON.stringify(body))
}

const readJson = (request: IncomingMessage): Promise<unknown> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    let size = 0
    request.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY) request.destroy()
      else chunks.push(chunk)
    })
    request.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")))
      } catch {
        resolve(undefined)
      }
    })
    request.on("error", () => resolve(undefined))
  })

const ROUTES: Record<string, string> = {
  webhook: "session webhook",
  group: "Open API · group",
  batchSend: "Open API · DM",
}

/** A card as the page draws it: its streamed variable is the key of its latest update. */
const cardView = (card: SimCard) => {
  const key = card.updates.at(-1)?.key
  return {
    kind: "card",
    conversationId: card.conversationId,
    outTrackId: card.outTrackId,
    status: card.flowStatus,
    html: key === undefined ? "" : renderCardMarkdown(card.params[key] ?? ""),
  }
}

/** A chat page on loopback where a person talks to the bot as DingTalk users, through the in-process simulator. */
export const startSandbox = async (
  options: SandboxOptions,
): Promise<{ readonly url: string; close(): Promise<void> }> => {
  const sim = options.simulator
  const users: Array<SimUser> = [sim.addUser({ nick: "王芳" }), sim.addUser({ nick: "李雷" })]
  const group: SimConversation = sim.group({ title: "产品研发群", members: users })
  const userById = (id: string) => users.find((user) => user.dingtalkId === id)
  const conversationsOf = (user: SimUser) => [
    { id: sim.dm(user).id, kind: "dm", name: `与机器人单聊 · ${user.nick}` },
    { id: group.id, kind: "group", name: group.title ?? "群聊" },
  ]
  const conversationById = (id: string, user: SimUser) =>
    id === group.id ? group : id === sim.dm(user).id ? sim.dm(user) : undefined
  const clients = new Set<ServerResponse>()
  const broadcast = (event: unknown) => {
    for (const client of clients) client.write(`data: ${JSON.stringify(event)}\n\n`)
  }
  const unsubscribe = sim.onReply((reply) => {
    const text = reply.atUserIds.reduce((acc, staffId) => {
      const nick = users.find((user) => user.staffId === staffId)?.nick
      return nick === undefined ? acc : acc.split(`@${staffId}`).join(`@${nick}`)
    }, reply.text)
    broadcast({
      conversationId: reply.conversationId,
      route: ROUTES[reply.via] ?? reply.via,
      html: reply.media === undefined ? renderMarkdown(text) : mediaHtml(reply.media),
    })
  })
  const unsubscribeCards = sim.cards.onChange((card) => broadcast(cardView(card)))

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://sandbox")
    const handle = async () => {
      if (request.method === "GET" && url.pathname === "/") {
        response.writeHead(200, {
          "content-type": "text/html; charset=utf-8",
          "content-security-policy": sandboxContentPolicy(sim.url),
        })
        return response.end(sandboxPage("OpenPollen · DingTalk sandbox"))
      }
      if (request.method === "GET" && url.pathname === "/sandbox/api/state")
        return json(response, 200, { users, groupPolicy: options.groupPolicy ?? "mention" })
      if (request.method === "GET" && url.pathname === "/sandbox/api/conversations") {
        const user = userById(url.searchParams.get("user") ?? "")
        return user === undefined
          ? json(response, 404, { error: "unknown user" })
          : json(response, 200, { conversations: conversationsOf(user) })
      }
      if (request.method === "GET" && url.pathname === "/sandbox/api/events") {
        response.writeHead(200, {
          "content-type": "text/event-stream",
          "cache-control": "no-cache",
          connection: "keep-alive",
        })
        response.write(": connected\n\n")
        clients.add(response)
        request.on("close", () => clients.delete(response))
        return
      }
      if (request.method === "POST" && url.pathname === "/sandbox/api/users") {
        const body = Schema.decodeUnknownResult(NewUser)(await readJson(request))
        if (Result.isFailure(body)) return json(response, 400, { error: "a nick is required" })
        const user = sim.addUser({ nick: body.success.nick.slice(0, 20) })
        users.push(user)
        return json(response, 200, user)
      }
      if (request.method === "POST" && url.pathname === "/sandbox/api/send") {
        const body = Schema.decodeUnknownResult(SandboxMessage)(await readJson(request))
        if (Result.isFailure(body))
          return json(response, 400, { error: "expected conversationId, userId and a message" })
        const user = userById(body.success.userId)
        const conversation =
          user === undefined ? undefined : conversationById(body.success.conversationId, user)
        if (user === undefined || conversation === undefined)
          return json(response, 404, { error: "unknown user or conversation" })
        try {
          const delivery = await sendFromSandbox(sim, conversation, user, body.success)
          return json(response, 200, { msgId: delivery.msgId })
        } catch (error) {
          if (error instanceof SandboxInputError) return json(response, 400, { error: error.message })
          throw error
        }
      }
      return json(response, 404, { error: "not found" })
    }
    handle().catch(() => json(response, 500, { error: "internal error" }))
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${options.host}:${port}/`,
    close: async () => {
      unsubscribe()
      unsubscribeCards()
      for (const client of clients) client.end()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
