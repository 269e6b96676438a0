import type { IncomingMessage, ServerResponse } from "node:http"
import { Readable } from "node:stream"
import { apiError, PERMISSION_DENIED_CODE, QPS_LIMIT_CODE } from "./apiError.js"
import type { CounterState } from "./Counters.js"
import type { Directory } from "./Directory.js"
import { type Faults, sleep } from "./Faults.js"
import { isRecord, parseJson, readBody, sendJson } from "./http.js"
import type { Inbox } from "./Inbox.js"
import { ids } from "./ids.js"
import type { Endpoint, SimApp } from "./SimulatorApi.js"
import type { StreamGateway } from "./StreamGateway.js"
import type { WebhookSessions } from "./WebhookSessions.js"

const MSG_KEYS = new Set([
  "sampleText",
  "sampleMarkdown",
  "sampleImageMsg",
  "sampleLink",
  "sampleActionCard",
  "sampleActionCard2",
  "sampleActionCard3",
  "sampleActionCard4",
  "sampleActionCard5",
  "sampleActionCard6",
  "sampleAudio",
  "sampleFile",
  "sampleVideo",
])
const WEBHOOK_BODY_LIMIT = 20_000
const GROUP_MSG_PARAM_LIMIT = 15_000
const MEDIA_CHUNK = 64 * 1024

type Media =
  | { readonly bytes: Uint8Array; readonly contentType: string }
  | { readonly size: number; readonly contentType: string }

interface IssuedToken {
  readonly app: SimApp
  expiresAt: number
}

export interface OpenApiOptions {
  readonly tokenExpireInSeconds: number
  readonly url: () => string
}

/** DingTalk's Open API (api.dingtalk.com and oapi.dingtalk.com) on one loopback origin. */
export class OpenApi {
  private readonly tokens = new Map<string, IssuedToken>()
  private readonly currentToken = new Map<string, string>()
  private readonly media = new Map<string, Media>()
  private readonly downloads = new Map<string, string>()
  private readonly drips = new WeakMap<ServerResponse, number>()
  private readonly statusAfterDelivery = new WeakMap<ServerResponse, number>()

  constructor(
    private readonly options: OpenApiOptions,
    private readonly directory: Directory,
    private readonly counters: CounterState,
    private readonly faults: Faults,
    private readonly inbox: Inbox,
    private readonly sessions: WebhookSessions,
    private readonly gateway: StreamGateway,
  ) {}

  registerMedia(media: Media): string {
    const code = ids.downloadCode()
    this.media.set(code, media)
    return code
  }

  revokeTokens(): void {
    this.tokens.clear()
    this.currentToken.clear()
  }

  /** Applies the endpoint's fault, if any; true when the fault already answered (or swallowed) the request. */
  private async fault(endpoint: Endpoint, response: ServerResponse): Promise<boolean> {
    const fault = this.faults.take(endpoint)
    if (fault === undefined) return false
    if (fault.latencyMs) await sleep(fault.latencyMs)
    if (fault.hang) return true
    if (fault.redirectTo !== undefined) {
      response.writeHead(302, { location: fault.redirectTo }).end()
      return true
    }
    if (fault.statusAfterDelivery !== undefined) {
      this.statusAfterDelivery.set(response, fault.statusAfterDelivery)
      return false
    }
    if (fault.dripMs !== undefined) {
      this.drips.set(response, fault.dripMs)
      return false
    }
    if (fault.throttle) {
      apiError(response, 403, QPS_LIMIT_CODE, "应用调用该接口的请求数超过限流阈值")
      return true
    }
    if (fault.invalidToken) {
      apiError(response, 401, "InvalidAuthentication", "不合法的access_token")
      return true
    }
    if (fault.permissionDenied) {
      apiError(response, 403, PERMISSION_DENIED_CODE, "没有调用该接口的权限", {
        accessdenieddetail: { requiredScopes: ["qyapi_robot_sendmsg"] },
      })
      return true
    }
    if (fault.status) {
      apiError(
        response,
        fault.status,
        fault.status >= 500 ? "ServiceUnavailable" : "Error",
        `injected HTTP ${fault.status}`,
      )
      return true
    }
    return false
  }

  authorize(request: IncomingMessage, response: ServerResponse): SimApp | undefined {
    const header = request.headers["x-acs-dingtalk-access-token"]
    const token = typeof header === "string" ? this.tokens.get(header) : undefined
    if (token === undefined || token.expiresAt <= Date.now()) {
      apiError(response, 401, "InvalidAuthentication", "不合法的access_token")
      return undefined
    }
    return token.app
  }

  private issueToken(app: SimApp): { token: string; expiresIn: number } {
    const lifetimeMs = this.options.tokenExpireInSeconds * 1000
    const current = this.currentToken.get(app.clientId)
    const existing = current === undefined ? undefined : this.tokens.get(current)
    if (current !== undefined && existing !== undefined && existing.expiresAt > Date.now()) {
      existing.expiresAt = Date.now() + lifetimeMs
      return { token: current, expiresIn: this.options.tokenExpireInSeconds }
    }
    const token = ids.token()
    this.tokens.set(token, { app, expiresAt: Date.now() + lifetimeMs })
    this.currentToken.set(app.clientId, token)
    this.counters.tokensIssued += 1
    return { token, expiresIn: this.options.tokenExpireInSeconds }
  }

  async route(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
    const { method } = request
    const path = url.pathname
    if (method === "POST" && path === "/v1.0/gateway/connections/open")
      return this.openConnection(request, response)
    if (method === "POST" && path === "/v1.0/oauth2/accessToken") return this.accessToken(request, response)
    if (method === "GET" && path === "/gettoken") return this.legacyToken(response, url)
    if (method === "POST" && path === "/v1.0/robot/messageFiles/download")
      return this.download(request, response)
    if (method === "GET" && path.startsWith("/media/"))
      return this.serveMedia(request, response, path.slice(7))
    if (method === "POST" && path === "/v1.0/robot/groupMessages/send")
      return this.groupSend(request, response)
    if (method === "POST" && path === "/v1.0/robot/oToMessages/batchSend")
      return this.batchSend(request, response)
    if (method === "POST" && path === "/robot/sendBySession") return this.webhook(request, response, url)
    return false
  }

  private async openConnection(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    this.counters.gatewayOpens += 1
    const body = parseJson(await readBody(request))
    if (await this.fault("gateway", response)) return true
    const app = isRecord(body)
      ? this.directory.apps.find((candidate) => candidate.clientId === body.clientId)
      : undefined
    if (app === undefined || !isRecord(body) || body.clientSecret !== app.clientSecret) {
      this.counters.gatewayRejected += 1
      apiError(response, 401, "authFailed", "鉴权失败")
      return true
    }
    const subscriptions = Array.isArray(body.subscriptions)
      ? body.subscriptions
          .filter(isRecord)
          .map((item) => ({ type: String(item.type), topic: String(item.topic) }))
      : []
    sendJson(response, 200, this.gateway.issueTicket(app.clientId, subscriptions))
    return true
  }

  private async accessToken(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    this.counters.tokenCalls += 1
    const body = parseJson(await readBody(request))
    if (await this.fault("token", response)) return true
    if (!isRecord(body)) {
      apiError(response, 400, "MissingParameter", "body is mandatory")
      return true
    }
    const app = this.directory.apps.find((candidate) => candidate.clientId === body.appKey)
    if (app === undefined || body.appSecret !== app.clientSecret) {
      apiError(response, 400, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
      return true
    }
    const { token, expiresIn } = this.issueToken(app)
    sendJson(response, 200, { accessToken: token, expireIn: expiresIn })
    return true
  }

  private async legacyToken(response: ServerResponse, url: URL): Promise<boolean> {
    this.counters.legacyTokenCalls += 1
    if (await this.fault("legacyToken", response)) return true
    const app = this.directory.apps.find((candidate) => candidate.clientId === url.searchParams.get("appkey"))
    if (app === undefined || url.searchParams.get("appsecret") !== app.clientSecret) {
      sendJson(response, 200, { errcode: 40089, errmsg: "不合法的corpid或corpsecret" })
      return true
    }
    const { token, expiresIn } = this.issueToken(app)
    sendJson(response, 200, { errcode: 0, access_token: token, errmsg: "ok", expires_in: expiresIn })
    return true
  }

  private async download(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const body = parseJson(await readBody(request))
    if (await this.fault("download", response)) return true
    const app = this.authorize(request, response)
    if (app === undefined) return true
    if (!isRecord(body) || body.robotCode !== app.robotCode) {
      apiError(response, 400, "invalidParameter.robotCode.invalid", "robotCode 无效")
      return true
    }
    const code = typeof body.downloadCode === "string" ? body.downloadCode : ""
    if (!this.media.has(code)) {
      apiError(response, 400, "invalidParameter.downloadCode.invalid", "downloadCode 无效或已过期")
      return true
    }
    const id = ids.token()
    this.downloads.set(id, code)
    sendJson(response, 200, {
      downloadUrl: `${this.options.url()}/media/${id}?Expires=300&Signature=${ids.token()}`,
    })
    return true
  }

  private async serveMedia(request: IncomingMessage, response: ServerResponse, id: string): Promise<boolean> {
    if (await this.fault("downloadUrl", response)) return true
    const media = this.media.get(this.downloads.get(id) ?? "")
    if (media === undefined) {
      response
        .writeHead(404, { "content-type": "application/xml" })
        .end("<Error><Code>NoSuchKey</Code></Error>")
      return true
    }
    if (request.headers["content-type"] !== undefined || request.headers.authorization !== undefined) {
      response
        .writeHead(403, { "content-type": "application/xml" })
        .end("<Error><Code>SignatureDoesNotMatch</Code></Error>")
      return true
    }
    this.counters.downloads += 1
    const size = "bytes" in media ? media.bytes.length : media.size
    response.writeHead(200, { "content-type": media.contentType, "content-length": size })
    const dripMs = this.drips.get(response)
    if (dripMs !== undefined) {
      for (let sent = 0; sent < size && !response.destroyed; sent++) {
        response.write(Buffer.from([0xab]))
        await sleep(dripMs)
      }
      response.end()
      return true
    }
    const source =
      "bytes" in media
        ? Readable.from([Buffer.from(media.bytes)])
        : Readable.from(
            (function* () {
              const chunk = Buffer.alloc(MEDIA_CHUNK, 0xab)
              for (let sent = 0; sent < media.size; sent += MEDIA_CHUNK)
                yield sent + MEDIA_CHUNK <= media.size ? chunk : chunk.subarray(0, media.size - sent)
            })(),
          )
    source.pipe(response)
    return true
  }

  private validateMessage(
    response: ServerResponse,
    app: SimApp,
    body: unknown,
  ): { msgKey: string; msgParam: string; param: Record<string, unknown> } | undefined {
    if (!isRecord(body) || body.robotCode !== app.robotCode) {
      apiError(response, 400, "invalidParameter.robotCode.empty", "robotCode 不能为空或无效")
      return undefined
    }
    if (typeof body.msgKey !== "string" || !MSG_KEYS.has(body.msgKey)) {
      apiError(response, 400, "invalidParameter.msgKey.invalid", "msgKey 无效")
      return undefined
    }
    const param = typeof body.msgParam === "string" ? parseJson(Buffer.from(body.msgParam)) : undefined
    if (typeof body.msgParam !== "string" || !isRecord(param)) {
      apiError(response, 400, "invalidParameter.msgParam.invalid", "msgParam 必须是 JSON 字符串")
      return undefined
    }
    return { msgKey: body.msgKey, msgParam: body.msgParam, param }
  }

  private async groupSend(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    this.counters.groupSends += 1
    const body = parseJson(await readBody(request))
    if (await this.fault("groupSend", response)) return true
    const app = this.authorize(request, response)
    if (app === undefined) return true
    const message = this.validateMessage(response, app, body)
    if (message === undefined) return true
    if (Buffer.byteLength(message.msgParam) > GROUP_MSG_PARAM_LIMIT) {
      apiError(
        response,
        400,
        "invalidParameter.msgParam.tooLong",
        `msgParam 超过 ${GROUP_MSG_PARAM_LIMIT} 字节`,
      )
      return true
    }
    const conversationId = isRecord(body) ? body.openConversationId : undefined
    const conversation =
      typeof conversationId === "string" ? this.directory.conversation(conversationId) : undefined
    if (conversation === undefined || conversation.kind !== "group") {
      apiError(response, 400, "invalidParameter.openConversationId.invalid", "openConversationId 无效")
      return true
    }
    this.inbox.record({
      via: "group",
      clientId: app.clientId,
      conversationId: conversation.id,
      msgKey: message.msgKey,
      ...(typeof message.param.title === "string" ? { title: message.param.title } : {}),
      text: String(message.param.text ?? message.param.content ?? ""),
      atUserIds: [],
      receivedAt: Date.now(),
      body,
    })
    sendJson(response, 200, { processQueryKey: ids.processQueryKey() })
    return true
  }

  private async batchSend(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    this.counters.batchSends += 1
    const body = parseJson(await readBody(request))
    if (await this.fault("batchSend", response)) return true
    const app = this.authorize(request, response)
    if (app === undefined) return true
    const message = this.validateMessage(response, app, body)
    if (message === undefined) return true
    const userIds = isRecord(body) && Array.isArray(body.userIds) ? body.userIds : undefined
    if (userIds === undefined || userIds.length === 0 || userIds.length > 20) {
      apiError(response, 400, "invalidParameter.userIds.invalid", "userIds 数量必须在 1 到 20 之间")
      return true
    }
    const invalidStaffIdList: Array<string> = []
    for (const userId of userIds) {
      const user = typeof userId === "string" ? this.directory.userByStaffId(userId) : undefined
      if (user === undefined) {
        invalidStaffIdList.push(String(userId))
        continue
      }
      this.inbox.record({
        via: "batchSend",
        clientId: app.clientId,
        conversationId: this.directory.dm(user).id,
        userIds: [String(userId)],
        msgKey: message.msgKey,
        ...(typeof message.param.title === "string" ? { title: message.param.title } : {}),
        text: String(message.param.text ?? message.param.content ?? ""),
        atUserIds: [],
        receivedAt: Date.now(),
        body,
      })
    }
    sendJson(response, 200, {
      processQueryKey: ids.processQueryKey(),
      invalidStaffIdList,
      flowControlledStaffIdList: [],
    })
    return true
  }

  private async webhook(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
    this.counters.webhookCalls += 1
    const raw = await readBody(request)
    if (await this.fault("webhook", response)) return true
    const session = this.sessions.resolve(url.searchParams.get("session") ?? "", Date.now())
    if (session === undefined) {
      sendJson(response, 200, { errcode: 300001, errmsg: "session 不存在" })
      return true
    }
    if (raw.length > WEBHOOK_BODY_LIMIT) {
      sendJson(response, 200, { errcode: 460101, errmsg: "message too long, exceed 20000 bytes" })
      return true
    }
    const body = parseJson(raw)
    const markdown = isRecord(body) && isRecord(body.markdown) ? body.markdown : undefined
    const text = isRecord(body) && isRecord(body.text) ? body.text : undefined
    const at = isRecord(body) && isRecord(body.at) ? body.at : undefined
    const valid =
      isRecord(body) &&
      ((body.msgtype === "markdown" &&
        typeof markdown?.title === "string" &&
        typeof markdown.text === "string") ||
        (body.msgtype === "text" && typeof text?.content === "string"))
    if (!valid) {
      sendJson(response, 200, { errcode: 40035, errmsg: "缺少参数 msgtype 或消息内容" })
      return true
    }
    this.inbox.record({
      via: "webhook",
      clientId: session.clientId,
      conversationId: session.conversationId,
      msgKey: String(body.msgtype),
      ...(typeof markdown?.title === "string" ? { title: markdown.title } : {}),
      text: String(markdown?.text ?? text?.content ?? ""),
      atUserIds: Array.isArray(at?.atUserIds) ? at.atUserIds.map(String) : [],
      receivedAt: Date.now(),
      body,
    })
    const status = this.statusAfterDelivery.get(response)
    if (status !== undefined)
      apiError(response, status, "BadGateway", `injected HTTP ${status} after delivery`)
    else sendJson(response, 200, { errcode: 0, errmsg: "ok" })
    return true
  }
}
