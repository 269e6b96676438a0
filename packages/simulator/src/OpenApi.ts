import type { IncomingMessage, ServerResponse } from "node:http"
import { AccessTokens } from "./AccessTokens.js"
import { apiError } from "./apiError.js"
import { applyFault } from "./applyFault.js"
import type { CounterState } from "./Counters.js"
import type { Directory } from "./Directory.js"
import type { Faults } from "./Faults.js"
import { isRecord, parseJson, readBody, sendJson } from "./http.js"
import type { Inbox } from "./Inbox.js"
import { type Media, MediaDownloads } from "./MediaDownloads.js"
import { MediaUploads } from "./MediaUploads.js"
import { RobotMessages } from "./RobotMessages.js"
import type { Endpoint, SimApp, UploadedMedia } from "./SimulatorApi.js"
import type { StreamGateway } from "./StreamGateway.js"
import type { WebhookSessions } from "./WebhookSessions.js"

const WEBHOOK_BODY_LIMIT = 20_000

export interface OpenApiOptions {
  readonly tokenExpireInSeconds: number
  readonly url: () => string
}

/** DingTalk's Open API (api.dingtalk.com and oapi.dingtalk.com) on one loopback origin. */
export class OpenApi {
  private readonly tokens: AccessTokens
  private readonly media: MediaDownloads
  private readonly robot: RobotMessages
  private readonly uploads: MediaUploads

  constructor(
    options: OpenApiOptions,
    private readonly directory: Directory,
    private readonly counters: CounterState,
    private readonly faults: Faults,
    private readonly inbox: Inbox,
    private readonly sessions: WebhookSessions,
    private readonly gateway: StreamGateway,
  ) {
    this.tokens = new AccessTokens(options.tokenExpireInSeconds, counters)
    this.media = new MediaDownloads(options.url, counters, faults, this.tokens)
    this.uploads = new MediaUploads(options.url, counters, faults, this.tokens)
    this.robot = new RobotMessages(directory, counters, faults, inbox, this.tokens, this.uploads)
  }

  registerMedia(media: Media): string {
    return this.media.register(media)
  }

  uploadedMedia(mediaId: string): (UploadedMedia & { readonly bytes: Uint8Array }) | undefined {
    const media = this.uploads.get(mediaId)
    const bytes = this.uploads.bytesOf(mediaId)
    return media === undefined || bytes === undefined ? undefined : { ...media, bytes }
  }

  close(): void {
    this.uploads.close()
  }

  revokeTokens(): void {
    this.tokens.revoke()
  }

  authorize(request: IncomingMessage, response: ServerResponse): SimApp | undefined {
    return this.tokens.authorize(request, response)
  }

  private fault(endpoint: Endpoint, response: ServerResponse): Promise<boolean> {
    return applyFault(this.faults, endpoint, response)
  }

  async route(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
    const { method } = request
    const path = url.pathname
    if (method === "POST" && path === "/v1.0/gateway/connections/open")
      return this.openConnection(request, response)
    if (method === "POST" && path === "/v1.0/oauth2/accessToken") return this.accessToken(request, response)
    if (method === "GET" && path === "/gettoken") return this.legacyToken(response, url)
    if (method === "POST" && path === "/v1.0/robot/messageFiles/download")
      return this.media.download(request, response)
    if (method === "GET" && path.startsWith("/media/"))
      return this.media.serve(request, response, path.slice(7))
    if (method === "POST" && path === "/media/upload") return this.uploads.upload(request, response, url)
    if (method === "GET" && path.startsWith("/uploaded/")) return this.uploads.serve(response, path.slice(10))
    if (method === "POST" && path === "/v1.0/robot/groupMessages/send")
      return this.robot.groupSend(request, response)
    if (method === "POST" && path === "/v1.0/robot/oToMessages/batchSend")
      return this.robot.batchSend(request, response)
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
    const { token, expiresIn } = this.tokens.issue(app)
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
    const { token, expiresIn } = this.tokens.issue(app)
    sendJson(response, 200, { errcode: 0, access_token: token, errmsg: "ok", expires_in: expiresIn })
    return true
  }

  private async webhook(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
    this.counters.webhookCalls += 1
    const raw = await readBody(request)
    let statusAfterDelivery: number | undefined
    const faulted = await applyFault(this.faults, "webhook", response, undefined, (status) => {
      statusAfterDelivery = status
    })
    if (faulted) return true
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
    if (statusAfterDelivery !== undefined)
      apiError(
        response,
        statusAfterDelivery,
        "BadGateway",
        `injected HTTP ${statusAfterDelivery} after delivery`,
      )
    else sendJson(response, 200, { errcode: 0, errmsg: "ok" })
    return true
  }
}
