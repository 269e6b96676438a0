import type { IncomingMessage, ServerResponse } from "node:http"
import { apiError, PERMISSION_DENIED_CODE, QPS_LIMIT_CODE } from "./apiError.js"
import type { CardBoard } from "./CardBoard.js"
import type { CardPermission } from "./CardTypes.js"
import type { Directory } from "./Directory.js"
import { type Faults, sleep } from "./Faults.js"
import { isRecord, parseJson, readBody, sendJson } from "./http.js"
import { ids } from "./ids.js"
import type { Endpoint, SimApp } from "./SimulatorApi.js"

const OPEN_SPACE_ID = /^dtv1\.card\/\/(IM_ROBOT|IM_GROUP)\.(.+)$/
const CALLBACK_TYPES = new Set(["STREAM", "HTTP"])

type Authorize = (request: IncomingMessage, response: ServerResponse) => SimApp | undefined
type Invalid = { readonly invalid: string; readonly message: string }

const invalid = (field: string, message: string): Invalid => ({ invalid: field, message })

/** `card/instances/createAndDeliver` and `card/streaming`, validated field by field as DingTalk does. */
export class CardApi {
  constructor(
    private readonly board: CardBoard,
    private readonly directory: Directory,
    private readonly faults: Faults,
    private readonly authorize: Authorize,
  ) {}

  async route(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
    if (request.method === "POST" && url.pathname === "/v1.0/card/instances/createAndDeliver") {
      await this.handle(request, response, "cardCreate", "Card.Instance.Write", (app, body) =>
        this.createAndDeliver(app, body, response),
      )
      return true
    }
    if (request.method === "PUT" && url.pathname === "/v1.0/card/streaming") {
      await this.handle(request, response, "cardStreaming", "Card.Streaming.Write", (app, body) =>
        this.streaming(app, body, response),
      )
      return true
    }
    return false
  }

  private async handle(
    request: IncomingMessage,
    response: ServerResponse,
    endpoint: Endpoint,
    permission: CardPermission,
    answer: (app: SimApp, body: unknown) => void,
  ) {
    const body = parseJson(await readBody(request))
    const rejected = () => {
      if (endpoint === "cardCreate") this.board.counters.createsRejected += 1
      else this.board.counters.updatesRejected += 1
    }
    const fault = this.faults.take(endpoint)
    if (fault?.latencyMs) await sleep(fault.latencyMs)
    if (fault?.hang) return
    const app = this.authorize(request, response)
    if (app === undefined) return rejected()
    if (fault?.throttle || !this.board.admit(Date.now())) {
      apiError(response, 403, QPS_LIMIT_CODE, "应用调用该接口的请求数超过限流阈值")
      return rejected()
    }
    if (fault?.permissionDenied || !this.board.holds(permission)) {
      apiError(response, 403, PERMISSION_DENIED_CODE, "没有调用该接口的权限", {
        accessdenieddetail: { requiredScopes: [permission] },
      })
      return rejected()
    }
    if (fault?.status) {
      apiError(response, fault.status, fault.status >= 500 ? "ServiceUnavailable" : "Error", "injected")
      return rejected()
    }
    answer(app, body)
  }

  private reject(response: ServerResponse, problem: Invalid, endpoint: Endpoint): void {
    if (endpoint === "cardCreate") this.board.counters.createsRejected += 1
    else this.board.counters.updatesRejected += 1
    apiError(response, 400, problem.invalid, problem.message)
  }

  private createAndDeliver(app: SimApp, body: unknown, response: ServerResponse) {
    const checked = this.validateCreate(app, body)
    if ("invalid" in checked) return this.reject(response, checked, "cardCreate")
    const { outTrackId, templateId, openSpaceId, spaceType, target, params } = checked
    if (this.board.find(outTrackId) !== undefined)
      return this.reject(response, invalid("param.outTrackId.duplicated", "outTrackId 已存在"), "cardCreate")
    const conversation =
      spaceType === "IM_GROUP"
        ? this.directory.conversation(target)
        : (() => {
            const user = this.directory.userByStaffId(target)
            return user === undefined ? undefined : this.directory.dm(user)
          })()
    const reachable =
      conversation !== undefined && (spaceType === "IM_ROBOT" || conversation.kind === "group")
    if (reachable)
      this.board.create({
        outTrackId,
        clientId: app.clientId,
        templateId,
        openSpaceId,
        spaceType,
        conversationId: conversation.id,
        createdAt: Date.now(),
        params,
      })
    else this.board.counters.createsRejected += 1
    sendJson(response, 200, {
      success: true,
      result: {
        outTrackId,
        deliverResults: [
          {
            spaceType,
            spaceId: target,
            success: reachable,
            ...(reachable
              ? { carrierId: ids.token() }
              : { errorMsg: spaceType === "IM_GROUP" ? "群不存在或机器人不在群内" : "用户不存在" }),
          },
        ],
      },
    })
  }

  private validateCreate(app: SimApp, body: unknown) {
    if (!isRecord(body)) return invalid("MissingParameter", "body is mandatory")
    const { cardTemplateId, outTrackId, cardData, callbackType, openSpaceId, userIdType } = body
    if (typeof cardTemplateId !== "string" || cardTemplateId === "")
      return invalid("invalidParameter.cardTemplateId.empty", "cardTemplateId 不能为空")
    if (!this.board.hasTemplate(cardTemplateId))
      return invalid("invalidParameter.cardTemplateId.notExist", "卡片模板不存在")
    if (typeof outTrackId !== "string" || outTrackId === "")
      return invalid("invalidParameter.outTrackId.empty", "outTrackId 不能为空")
    const params = isRecord(cardData) ? cardData.cardParamMap : undefined
    if (!isRecord(params) || !Object.values(params).every((value) => typeof value === "string"))
      return invalid("invalidParameter.cardParamMap.invalid", "cardParamMap 的值必须都是字符串")
    if (callbackType !== undefined && (typeof callbackType !== "string" || !CALLBACK_TYPES.has(callbackType)))
      return invalid("invalidParameter.callbackType.invalid", "callbackType 无效")
    if (userIdType !== 1) return invalid("invalidParameter.userIdType.invalid", "userIdType 无效")
    const space = typeof openSpaceId === "string" ? OPEN_SPACE_ID.exec(openSpaceId) : null
    const spaceType = space?.[1] as "IM_ROBOT" | "IM_GROUP" | undefined
    const target = space?.[2]
    if (spaceType === undefined || target === undefined || typeof openSpaceId !== "string")
      return invalid("invalidParameter.openSpaceId.invalid", "openSpaceId 格式无效")
    const robot = spaceType === "IM_ROBOT"
    const deliver = robot ? body.imRobotOpenDeliverModel : body.imGroupOpenDeliverModel
    const spaceModel = robot ? body.imRobotOpenSpaceModel : body.imGroupOpenSpaceModel
    const foreign = robot
      ? (body.imGroupOpenDeliverModel ?? body.imGroupOpenSpaceModel)
      : (body.imRobotOpenDeliverModel ?? body.imRobotOpenSpaceModel)
    if (!isRecord(spaceModel) || foreign !== undefined)
      return invalid("invalidParameter.openSpaceModel.invalid", `${spaceType} 需要对应的 OpenSpaceModel`)
    if (!isRecord(deliver) || (robot && deliver.spaceType !== "IM_ROBOT"))
      return invalid("invalidParameter.openDeliverModel.invalid", `${spaceType} 需要对应的 OpenDeliverModel`)
    if (deliver.robotCode !== app.robotCode)
      return invalid("invalidParameter.robotCode.invalid", "robotCode 无效")
    return {
      outTrackId,
      templateId: cardTemplateId,
      openSpaceId,
      spaceType,
      target,
      params: { ...(params as Record<string, string>) },
    }
  }

  private streaming(app: SimApp, body: unknown, response: ServerResponse) {
    const checked = this.validateStreaming(app, body)
    if ("invalid" in checked) return this.reject(response, checked, "cardStreaming")
    const { card, update } = checked
    this.board.stream(card, update)
    sendJson(response, 200, { success: true, result: true })
  }

  private validateStreaming(app: SimApp, body: unknown) {
    if (!isRecord(body)) return invalid("MissingParameter", "body is mandatory")
    const { outTrackId, guid, key, content, isFull, isFinalize, isError } = body
    const card = typeof outTrackId === "string" ? this.board.find(outTrackId) : undefined
    if (card === undefined || card.clientId !== app.clientId)
      return invalid("invalidParameter.outTrackId.notExist", "卡片实例不存在")
    if (typeof guid !== "string" || guid === "")
      return invalid("invalidParameter.guid.empty", "guid 不能为空")
    if (typeof key !== "string" || key === "") return invalid("invalidParameter.key.empty", "key 不能为空")
    if (typeof content !== "string")
      return invalid("invalidParameter.content.invalid", "content 必须是字符串")
    const flags = [isFull, isFinalize, isError]
    if (!flags.every((flag) => flag === undefined || typeof flag === "boolean"))
      return invalid("invalidParameter.flag.invalid", "isFull/isFinalize/isError 必须是布尔值")
    return {
      card,
      update: {
        at: Date.now(),
        guid,
        key,
        content,
        isFull: isFull === true,
        isFinalize: isFinalize === true,
        isError: isError === true,
      },
    }
  }
}
