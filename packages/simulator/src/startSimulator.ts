import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { CardApi } from "./CardApi.js"
import { CardBoard } from "./CardBoard.js"
import { emptyCounters } from "./Counters.js"
import { DEFAULT_APP, Directory } from "./Directory.js"
import { Faults } from "./Faults.js"
import { trackHttpActivity } from "./HttpActivity.js"
import { sendJson } from "./http.js"
import { Inbox } from "./Inbox.js"
import { ids } from "./ids.js"
import { OpenApi } from "./OpenApi.js"
import { chatRecordBody, envelope, type PayloadContext, textBody } from "./Payloads.js"
import type {
  Delivery,
  SendOptions,
  SimConversation,
  SimUser,
  Simulator,
  SimulatorOptions,
} from "./SimulatorApi.js"
import { StreamGateway } from "./StreamGateway.js"
import { WebhookSessions } from "./WebhookSessions.js"

/** Starts a local DingTalk on 127.0.0.1 (Stream gateway, Open API, session webhooks). */
export const startSimulator = async (options: SimulatorOptions = {}): Promise<Simulator> => {
  const directory = new Directory(options.apps ?? [DEFAULT_APP])
  const counters = emptyCounters()
  const faults = new Faults()
  const inbox = new Inbox()
  const sessions = new WebhookSessions(options.webhookLifetimeMs ?? 5_400_000)
  let port = 0
  const url = () => `http://127.0.0.1:${port}`
  const gateway = new StreamGateway(
    {
      pingIntervalMs: options.pingIntervalMs ?? 30_000,
      redeliveryTimeoutMs: options.redeliveryTimeoutMs ?? 60_000,
      maxRedeliveries: options.maxRedeliveries ?? 3,
      reuseMessageIdOnRedelivery: options.reuseMessageIdOnRedelivery ?? false,
      disconnectGraceMs: options.disconnectGraceMs ?? 10_000,
      ticketTtlMs: options.ticketTtlMs ?? 90_000,
      newConnectionKicksOld: options.newConnectionKicksOld ?? false,
    },
    directory,
    counters,
    faults,
    () => port,
  )
  const openApi = new OpenApi(
    { tokenExpireInSeconds: options.tokenExpireInSeconds ?? 7200, url },
    directory,
    counters,
    faults,
    inbox,
    sessions,
    gateway,
  )

  const cardBoard = new CardBoard(options.cardQps ?? 40)
  const cardApi = new CardApi(cardBoard, directory, faults, (request, response) =>
    openApi.authorize(request, response),
  )

  const server = createServer((request, response) => {
    const requestUrl = new URL(request.url ?? "/", url())
    cardApi
      .route(request, response, requestUrl)
      .then((handled) => handled || openApi.route(request, response, requestUrl))
      .then((handled) => {
        if (!handled)
          sendJson(response, 404, { code: "NotFound", message: `no such API: ${requestUrl.pathname}` })
      })
      .catch(() => sendJson(response, 500, { code: "InternalError", message: "simulator failure" }))
  })
  const httpActivity = trackHttpActivity(server)
  server.on("upgrade", (request, socket, head) => {
    socket.on("error", () => socket.destroy())
    gateway.handleUpgrade(request, socket, head).catch(() => socket.destroy())
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve())
  })
  port = (server.address() as AddressInfo).port

  const deliver = (
    conversation: SimConversation,
    from: SimUser,
    sendOptions: SendOptions,
    body: (context: PayloadContext) => Record<string, unknown>,
  ): Promise<Delivery> => {
    const app = directory.app(sendOptions.clientId)
    const createdAt = Date.now()
    const { session, expiresAt } = sessions.open(conversation.id, app.clientId, createdAt)
    const sessionWebhook = `${url()}/robot/sendBySession?session=${session}`
    const context: PayloadContext = {
      app,
      conversation,
      from,
      createdAt,
      sessionWebhook,
      sessionWebhookExpiredTime: expiresAt,
      options: sendOptions,
    }
    const data = { ...envelope(context), ...body(context), ...(sendOptions.overrides ?? {}) }
    const msgId = String(data.msgId)
    const acked = gateway.deliver(app.clientId, msgId, JSON.stringify(data))
    return Promise.resolve({ msgId, data, sessionWebhook, acked })
  }

  const media = (bytes: Uint8Array, contentType = "application/octet-stream") =>
    openApi.registerMedia({ bytes, contentType })

  const simulator: Simulator = {
    url: url(),
    port,
    app: directory.app(),
    apps: directory.apps,
    addUser: (userOptions) => directory.addUser(userOptions),
    dm: (user) => directory.dm(user),
    group: (groupOptions) => directory.group(groupOptions),
    sendText: (conversation, from, text, sendOptions = {}) =>
      deliver(conversation, from, sendOptions, (context) => textBody(context, text, media)),
    sendPicture: (conversation, from, bytes, sendOptions = {}) => {
      const downloadCode = media(bytes, sendOptions.contentType ?? "image/png")
      return deliver(conversation, from, sendOptions, () => ({
        msgtype: "picture",
        content: { downloadCode, pictureDownloadCode: ids.downloadCode() },
      }))
    },
    sendRichText: (conversation, from, parts, sendOptions = {}) => {
      const mentioned = conversation.kind === "group" && (sendOptions.mention ?? true)
      const richText = parts.map((part) => {
        if ("text" in part) return { text: part.text }
        const downloadCode = media(part.picture, part.contentType ?? "image/png")
        return { type: "picture", downloadCode, pictureDownloadCode: ids.downloadCode() }
      })
      return deliver(conversation, from, sendOptions, (context) => ({
        msgtype: "richText",
        content: { richText: mentioned ? [{ text: `@${context.app.robotCode}` }, ...richText] : richText },
      }))
    },
    sendAudio: (conversation, from, audio) =>
      deliver(conversation, from, audio, () => ({
        msgtype: "audio",
        content: {
          downloadCode: media(audio.bytes ?? new Uint8Array([0x23, 0x21, 0x41, 0x4d, 0x52]), "audio/amr"),
          recognition: audio.recognition,
          duration: "3000",
        },
      })),
    sendFile: (conversation, from, file) =>
      deliver(conversation, from, file, () => ({
        msgtype: "file",
        content: {
          downloadCode: media(file.bytes),
          fileName: file.fileName,
          fileId: String(Date.now()),
          spaceId: "2749103382",
        },
      })),
    sendVideo: (conversation, from, video) =>
      deliver(conversation, from, video, () => ({
        msgtype: "video",
        content: {
          downloadCode: media(video.bytes, "video/mp4"),
          duration: String(video.durationSeconds ?? 12),
          videoType: "mp4",
        },
      })),
    sendMarkdown: (conversation, from, markdown, sendOptions = {}) =>
      deliver(conversation, from, sendOptions, () => ({
        msgtype: "markdown",
        content: { ...(markdown.title === undefined ? {} : { title: markdown.title }), text: markdown.text },
      })),
    sendChatRecord: (conversation, from, entries, sendOptions = {}) =>
      deliver(conversation, from, sendOptions, (context) =>
        chatRecordBody(context, entries, sendOptions.title),
      ),
    sendInteractiveCard: (conversation, from, card, sendOptions = {}) =>
      deliver(conversation, from, sendOptions, () => ({
        msgtype: "interactiveCard",
        content: {
          title: card.title,
          ...(card.text === undefined ? {} : { text: card.text }),
          ...(card.url === undefined ? {} : { biz_custom_action_url: card.url }),
        },
      })),
    sendRaw: (data, rawOptions = {}) => {
      const app = directory.app(rawOptions.clientId)
      const msgId = typeof data.msgId === "string" ? data.msgId : ids.msgId()
      const full = { ...data, msgId }
      const acked = gateway.deliver(app.clientId, msgId, JSON.stringify(full))
      return Promise.resolve({
        msgId,
        data: full,
        sessionWebhook: typeof data.sessionWebhook === "string" ? data.sessionWebhook : "",
        acked,
      })
    },
    pushRawFrame: (raw, connectionId) => gateway.pushRaw(raw, connectionId),
    registerMedia: (bytes, contentType) => media(bytes, contentType),
    uploadedMedia: (mediaId) => openApi.uploadedMedia(mediaId),
    registerGeneratedMedia: (size, contentType = "image/jpeg") =>
      openApi.registerMedia({ size, contentType }),
    nextReply: (conversationId, replyOptions = {}) =>
      inbox.next(conversationId, replyOptions.timeoutMs ?? 5_000),
    get replies() {
      return inbox.all
    },
    onReply: (listener) => inbox.subscribe(listener),
    connections: (clientId) =>
      gateway.live(clientId).map(({ id, clientId: owner, openedAt, subscriptions }) => ({
        id,
        clientId: owner,
        openedAt,
        subscriptions,
      })),
    disconnect: (connectionId, reason) => gateway.disconnect(connectionId, reason),
    kill: (connectionId) => gateway.kill(connectionId),
    waitForConnections: (count, waitOptions = {}) =>
      gateway.waitForConnections(
        count,
        directory.app(waitOptions.clientId).clientId,
        waitOptions.timeoutMs ?? 10_000,
      ),
    settled: (settleOptions = {}) =>
      httpActivity.settled(settleOptions.quietMs ?? 100, settleOptions.timeoutMs ?? 10_000),
    setFault: (endpoint, fault) => faults.set(endpoint, fault),
    clearFault: (endpoint) => faults.clear(endpoint),
    setConnectionFault: (connectionId, fault) => gateway.setFault(connectionId, fault),
    expireWebhooks: (conversationId) => sessions.expireConversation(conversationId),
    revokeTokens: () => openApi.revokeTokens(),
    rotateSecret: (newSecret, clientId) => directory.rotateSecret(newSecret, clientId),
    cards: cardBoard.api,
    get counters() {
      return {
        ...counters,
        ackLatenciesMs: [...counters.ackLatenciesMs],
        liveConnections: gateway.live().length,
      }
    },
    resetCounters: () => {
      const fresh = emptyCounters()
      Object.assign(counters, fresh)
      cardBoard.resetCounters()
    },
    close: async () => {
      inbox.close()
      gateway.close()
      openApi.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return simulator
}
