import { DWClient, type DWClientDownStream, TOPIC_ROBOT } from "dingtalk-stream"

/**
 * The official SDK client pointed at the simulator: its gateway URL is hard-coded, so getEndpoint is overridden
 * (the SDK has no option for it). Everything else is the SDK's own behaviour.
 */
export class SdkPeer extends DWClient {
  readonly callbacks: Array<DWClientDownStream> = []
  readonly systemFrames: Array<DWClientDownStream> = []
  ack = true

  constructor(
    private readonly apiBase: string,
    private readonly credentials: { readonly clientId: string; readonly clientSecret: string },
    options: { readonly autoReconnect?: boolean } = {},
  ) {
    super({
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      keepAlive: false,
      debug: false,
    })
    this.config.autoReconnect = options.autoReconnect ?? false
    this.config.subscriptions = [{ type: "CALLBACK", topic: TOPIC_ROBOT }]
    this.registerCallbackListener(TOPIC_ROBOT, (frame) => {
      this.callbacks.push(frame)
      if (this.ack) this.socketCallBackResponse(frame.headers.messageId, { ok: true })
    })
  }

  override async getEndpoint(): Promise<this> {
    const response = await fetch(new URL("/v1.0/gateway/connections/open", this.apiBase), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({
        ...this.credentials,
        ua: "sdk-peer/1.0",
        subscriptions: this.config.subscriptions,
      }),
    })
    const body = (await response.json()) as { endpoint?: string; ticket?: string }
    if (!response.ok || body.endpoint === undefined || body.ticket === undefined)
      throw new Error(`gateway refused: ${response.status}`)
    ;(this as unknown as { dw_url: string }).dw_url = `${body.endpoint}?ticket=${body.ticket}`
    return this
  }

  override onSystem(downstream: DWClientDownStream): void {
    this.systemFrames.push(downstream)
    super.onSystem(downstream)
  }
}

export const until = async (
  condition: () => boolean,
  timeoutMs = 5_000,
  what = "condition",
): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
