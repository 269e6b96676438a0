import type { IncomingMessage, ServerResponse } from "node:http"
import type { AccessTokens } from "./AccessTokens.js"
import { apiError } from "./apiError.js"
import { applyFault } from "./applyFault.js"
import type { CounterState } from "./Counters.js"
import type { Directory } from "./Directory.js"
import type { Faults } from "./Faults.js"
import { isRecord, parseJson, readBody, sendJson } from "./http.js"
import type { Inbox } from "./Inbox.js"
import { ids } from "./ids.js"
import type { MediaUploads } from "./MediaUploads.js"
import type { ReceivedMedia, SimApp } from "./SimulatorApi.js"

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
const GROUP_MSG_PARAM_LIMIT = 15_000

/** The robot's proactive sends over the Open API: to a group, and to users one by one. */
export class RobotMessages {
  constructor(
    private readonly directory: Directory,
    private readonly counters: CounterState,
    private readonly faults: Faults,
    private readonly inbox: Inbox,
    private readonly tokens: AccessTokens,
    private readonly uploads: MediaUploads,
  ) {}

  /** Counts the call, applies its fault, checks the token and the message; undefined once it has answered. */
  private async receive(
    request: IncomingMessage,
    response: ServerResponse,
    endpoint: "groupSend" | "batchSend",
  ) {
    this.counters[endpoint === "groupSend" ? "groupSends" : "batchSends"] += 1
    const body = parseJson(await readBody(request))
    if (await applyFault(this.faults, endpoint, response)) return undefined
    const app = this.tokens.authorize(request, response)
    if (app === undefined) return undefined
    const message = this.validateMessage(response, app, body)
    if (message === undefined) return undefined
    const media = this.mediaOf(message.msgKey, message.param, app)
    if (media === "invalid") {
      apiError(response, 400, "invalidParameter.mediaId.invalid", "mediaId 无效或不属于该应用")
      return undefined
    }
    return { app, body, message, ...(media === undefined ? {} : { media }) }
  }

  /**
   * The media a `sampleImageMsg` / `sampleFile` shows: `photoURL` is a media id this app uploaded or an http(s) URL,
   * `mediaId` must be an upload of this app. Undefined for other messages; "invalid" for a message that names none.
   */
  private mediaOf(
    msgKey: string,
    param: Record<string, unknown>,
    app: SimApp,
  ): ReceivedMedia | "invalid" | undefined {
    if (msgKey !== "sampleImageMsg" && msgKey !== "sampleFile") return undefined
    const reference = msgKey === "sampleImageMsg" ? param.photoURL : param.mediaId
    if (typeof reference !== "string" || reference === "") return "invalid"
    if (msgKey === "sampleImageMsg" && /^https?:\/\//.test(reference))
      return { kind: "image", url: reference }
    const uploaded = this.uploads.get(reference)
    if (uploaded === undefined || uploaded.clientId !== app.clientId) return "invalid"
    if (msgKey === "sampleImageMsg")
      return { kind: "image", mediaId: reference, url: uploaded.url, size: uploaded.size }
    if (typeof param.fileName !== "string" || typeof param.fileType !== "string") return "invalid"
    return {
      kind: "file",
      mediaId: reference,
      url: uploaded.url,
      fileName: param.fileName,
      fileType: param.fileType,
      size: uploaded.size,
    }
  }

  /** What the inbox records of a message sent to `conversationId`. */
  private recordFor(
    received: {
      app: SimApp
      body: unknown
      message: { msgKey: string; param: Record<string, unknown> }
      media?: ReceivedMedia
    },
    conversationId: string,
  ) {
    const { param } = received.message
    return {
      ...(received.media === undefined ? {} : { media: received.media }),
      clientId: received.app.clientId,
      conversationId,
      msgKey: received.message.msgKey,
      ...(typeof param.title === "string" ? { title: param.title } : {}),
      text: String(param.text ?? param.content ?? param.fileName ?? ""),
      atUserIds: [],
      receivedAt: Date.now(),
      body: received.body,
    }
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

  /** `POST /v1.0/robot/groupMessages/send`. */
  async groupSend(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const received = await this.receive(request, response, "groupSend")
    if (received === undefined) return true
    const { body, message } = received
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
    this.inbox.record({ via: "group", ...this.recordFor(received, conversation.id) })
    sendJson(response, 200, { processQueryKey: ids.processQueryKey() })
    return true
  }

  /** `POST /v1.0/robot/oToMessages/batchSend`. */
  async batchSend(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const received = await this.receive(request, response, "batchSend")
    if (received === undefined) return true
    const { body } = received
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
        ...this.recordFor(received, this.directory.dm(user).id),
        userIds: [String(userId)],
      })
    }
    sendJson(response, 200, {
      processQueryKey: ids.processQueryKey(),
      invalidStaffIdList,
      flowControlledStaffIdList: [],
    })
    return true
  }
}
