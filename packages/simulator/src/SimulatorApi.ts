// The simulator's programmatic API. Tests, benchmarks and the sandbox code against these types.
import type { SimQuote, SimRecordEntry } from "./SimMessageParts.js"

export type { SimQuote, SimRecordEntry }

import type { SimCards } from "./CardTypes.js"
import type { ConnectionFault, Endpoint, EndpointFault } from "./FaultTypes.js"

export type { ConnectionFault, Endpoint, EndpointFault }

export interface SimulatorOptions {
  /** Port on 127.0.0.1 (never any other interface). 0 picks a free one. Default 0. */
  readonly port?: number
  /** Apps (robots) the simulator knows. Default: one app, `DEFAULT_APP`. */
  readonly apps?: ReadonlyArray<AppOptions>
  /** SYSTEM ping cadence per connection. Default 30_000. 0 disables pings. */
  readonly pingIntervalMs?: number
  /** An un-ACKed CALLBACK is pushed again after this long. Default 60_000. */
  readonly redeliveryTimeoutMs?: number
  /** How many times an un-ACKed CALLBACK is redelivered at most. Default 3. */
  readonly maxRedeliveries?: number
  /** Redeliveries reuse the old headers.messageId instead of a new one. Default false. */
  readonly reuseMessageIdOnRedelivery?: boolean
  /** Time between a SYSTEM disconnect and the socket close. Default 10_000. */
  readonly disconnectGraceMs?: number
  /** Lifetime of a connection ticket. Default 90_000. */
  readonly ticketTtlMs?: number
  /** `expireIn` of access tokens, in seconds. Default 7200. */
  readonly tokenExpireInSeconds?: number
  /** sessionWebhookExpiredTime - createAt. Default 5_400_000. */
  readonly webhookLifetimeMs?: number
  /** A newer connection of an app closes the older ones. Default false (load-balanced). */
  readonly newConnectionKicksOld?: boolean
  /** Card calls per second the org may make before 403 QpsLimit. Default 40. */
  readonly cardQps?: number
}

export interface AppOptions {
  readonly clientId: string
  readonly clientSecret: string
  /** Defaults to clientId. */
  readonly robotCode?: string
  /** The bot's dingtalkId. Generated when absent. */
  readonly chatbotUserId?: string
}

export interface SimApp {
  readonly clientId: string
  readonly clientSecret: string
  readonly robotCode: string
  readonly chatbotUserId: string
  readonly corpId: string
}

export interface SimUser {
  /** dingtalkId, `$:LWCP_v1:$…`. */
  readonly dingtalkId: string
  /** Absent for a user of another org. */
  readonly staffId?: string
  readonly nick: string
}

export interface SimConversation {
  /** `cid…==`. */
  readonly id: string
  readonly kind: "dm" | "group"
  readonly title?: string
  readonly members: ReadonlyArray<SimUser>
}

export interface SendOptions {
  /** Group only: whether the bot is @-mentioned (isInAtList, atUsers). Default true in groups. */
  readonly mention?: boolean
  /** Other users @-mentioned (added to atUsers). */
  readonly alsoMention?: ReadonlyArray<SimUser>
  /** Which app receives it. Default: the first app. */
  readonly clientId?: string
  /** Override fields of the generated `data` payload (e.g. a past sessionWebhookExpiredTime). */
  readonly overrides?: Readonly<Record<string, unknown>>
  /** A quoted message (`text.isReplyMsg`, `repliedMsg`). Text messages only. */
  readonly quote?: SimQuote
}

export type RichTextPart =
  | { readonly text: string }
  | { readonly picture: Uint8Array; readonly contentType?: string }

export interface Delivery {
  readonly msgId: string
  /** The robot callback payload exactly as pushed (before JSON encoding into the frame's data string). */
  readonly data: Readonly<Record<string, unknown>>
  /** The conversation's session webhook for this message. */
  readonly sessionWebhook: string
  /** Resolves when some connection ACKed the message (any delivery of it). */
  readonly acked: Promise<void>
}

/** Everything the bot sent, whichever route. */
export interface ReceivedReply {
  readonly via: "webhook" | "group" | "batchSend"
  readonly clientId: string
  readonly conversationId: string
  /** batchSend only. */
  readonly userIds?: ReadonlyArray<string>
  readonly msgKey: string
  /** `markdown` / `text` for webhooks, `sampleMarkdown` etc. for the Open API. */
  readonly title?: string
  readonly text: string
  readonly atUserIds: ReadonlyArray<string>
  readonly receivedAt: number
  /** The raw JSON request body. */
  readonly body: unknown
  /** `sampleImageMsg` / `sampleFile`: what the message shows. */
  readonly media?: ReceivedMedia
}

/** The media of a `sampleImageMsg` or `sampleFile` message. */
export interface ReceivedMedia {
  readonly kind: "image" | "file"
  /** Set when the message named an uploaded media id. */
  readonly mediaId?: string
  /** Where to fetch it: the simulator's copy of an upload, or the https URL the message named. */
  readonly url: string
  readonly fileName?: string
  readonly fileType?: string
  /** Size of an uploaded file. */
  readonly size?: number
}

/** A file the robot uploaded with `POST /media/upload`. */
export interface UploadedMedia {
  readonly mediaId: string
  readonly clientId: string
  readonly type: "image" | "voice" | "video" | "file"
  readonly fileName: string
  readonly contentType: string
  readonly size: number
  /** The simulator URL that serves the bytes. */
  readonly url: string
}

export interface SimConnection {
  readonly id: string
  readonly clientId: string
  readonly openedAt: number
  readonly subscriptions: ReadonlyArray<{ readonly type: string; readonly topic: string }>
}

export interface Counters {
  readonly gatewayOpens: number
  readonly gatewayRejected: number
  readonly upgradesRejected: number
  readonly connectionsOpened: number
  readonly liveConnections: number
  readonly tokenCalls: number
  readonly legacyTokenCalls: number
  readonly tokensIssued: number
  readonly callbacksPushed: number
  readonly redeliveries: number
  readonly acks: number
  readonly pingsSent: number
  readonly pingEchoes: number
  readonly badPingEchoes: number
  readonly downloads: number
  readonly webhookCalls: number
  readonly groupSends: number
  readonly batchSends: number
  readonly mediaUploads: number
  /** Push-to-ACK latency of each first ACK, in ms: the latest 180,000 to 200,000 once there have been more. */
  readonly ackLatenciesMs: ReadonlyArray<number>
}

export interface Simulator {
  /** `http://127.0.0.1:PORT`: use it as both apiBase and oapiBase. */
  readonly url: string
  readonly port: number
  /** The first app. */
  readonly app: SimApp
  readonly apps: ReadonlyArray<SimApp>

  addUser(options: { readonly nick: string; readonly staffId?: string; readonly sameOrg?: boolean }): SimUser
  dm(user: SimUser): SimConversation
  group(options: { readonly title: string; readonly members: ReadonlyArray<SimUser> }): SimConversation

  sendText(
    conversation: SimConversation,
    from: SimUser,
    text: string,
    options?: SendOptions,
  ): Promise<Delivery>
  sendPicture(
    conversation: SimConversation,
    from: SimUser,
    bytes: Uint8Array,
    options?: SendOptions & { readonly contentType?: string },
  ): Promise<Delivery>
  sendRichText(
    conversation: SimConversation,
    from: SimUser,
    parts: ReadonlyArray<RichTextPart>,
    options?: SendOptions,
  ): Promise<Delivery>
  sendAudio(
    conversation: SimConversation,
    from: SimUser,
    options: SendOptions & { readonly recognition: string; readonly bytes?: Uint8Array },
  ): Promise<Delivery>
  sendFile(
    conversation: SimConversation,
    from: SimUser,
    options: SendOptions & { readonly fileName: string; readonly bytes: Uint8Array },
  ): Promise<Delivery>
  sendVideo(
    conversation: SimConversation,
    from: SimUser,
    options: SendOptions & { readonly bytes: Uint8Array; readonly durationSeconds?: number },
  ): Promise<Delivery>
  sendMarkdown(
    conversation: SimConversation,
    from: SimUser,
    markdown: { readonly title?: string; readonly text: string },
    options?: SendOptions,
  ): Promise<Delivery>
  /** A forwarded chat history: `content.chatRecord` holds the entries as a JSON string, as DingTalk sends it. */
  sendChatRecord(
    conversation: SimConversation,
    from: SimUser,
    entries: ReadonlyArray<SimRecordEntry>,
    options?: SendOptions & { readonly title?: string },
  ): Promise<Delivery>
  /** A card shared into the chat (e.g. a document): title, optional text and link. */
  sendInteractiveCard(
    conversation: SimConversation,
    from: SimUser,
    card: { readonly title: string; readonly text?: string; readonly url?: string },
    options?: SendOptions,
  ): Promise<Delivery>
  /** Push an arbitrary robot callback payload (it is JSON-encoded into the frame's data string). */
  sendRaw(
    data: Readonly<Record<string, unknown>>,
    options?: { readonly clientId?: string },
  ): Promise<Delivery>
  /** Push a malformed frame: raw text as-is on one live connection (or the given one). */
  pushRawFrame(raw: string, connectionId?: string): void
  /** Register downloadable bytes under a new downloadCode (contains `/`, `+`, `=`, as real ones do). */
  registerMedia(bytes: Uint8Array, contentType?: string): string
  /** Serve a large body of `size` bytes generated on the fly (streamed, never held in memory). */
  registerGeneratedMedia(size: number, contentType?: string): string
  /** A file the robot uploaded (`POST /media/upload`), by its media_id. */
  uploadedMedia(mediaId: string): (UploadedMedia & { readonly bytes: Uint8Array }) | undefined

  /** Resolves with the next reply to that conversation not yet taken by nextReply. Rejects after timeoutMs (default 5000). */
  nextReply(conversationId: string, options?: { readonly timeoutMs?: number }): Promise<ReceivedReply>
  /** The replies so far, in arrival order: the latest 180,000 to 200,000 once there have been more. */
  readonly replies: ReadonlyArray<ReceivedReply>
  onReply(listener: (reply: ReceivedReply) => void): () => void

  connections(clientId?: string): ReadonlyArray<SimConnection>
  /** SYSTEM disconnect, then close after disconnectGraceMs. Default: every live connection. */
  disconnect(connectionId?: string, reason?: string): void
  /** Abrupt termination (no close frame). Default: every live connection. */
  kill(connectionId?: string): void
  /** Resolves when the app has at least `count` live connections. */
  waitForConnections(
    count: number,
    options?: { readonly clientId?: string; readonly timeoutMs?: number },
  ): Promise<void>

  /**
   * Resolves once no HTTP request (a reply, a token, a download, a card call) has been in progress for `quietMs`
   * (default 100): what a process sent before it died has then been handled and recorded.
   */
  settled(options?: { readonly quietMs?: number; readonly timeoutMs?: number }): Promise<void>

  setFault(endpoint: Endpoint, fault: EndpointFault): void
  clearFault(endpoint?: Endpoint): void
  setConnectionFault(connectionId: string, fault: ConnectionFault): void
  /** Webhooks of this conversation answer 300001 from now on (until a new message refreshes them). */
  expireWebhooks(conversationId: string): void
  /** Every issued access token becomes invalid (the next Open API call gets InvalidAuthentication). */
  revokeTokens(): void
  /**
   * The app's secret is reset, as in the developer console: token requests and Stream connections with the old one
   * are refused from now on; tokens already issued stay valid until they expire. Default: the first app.
   */
  rotateSecret(newSecret: string, clientId?: string): void
  /** AI cards: their state and update timeline, templates, permissions and the org's card QPS. */
  readonly cards: SimCards

  readonly counters: Counters
  resetCounters(): void
  close(): Promise<void>
}
