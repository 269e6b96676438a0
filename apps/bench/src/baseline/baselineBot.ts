import { DWClient, TOPIC_ROBOT } from "dingtalk-stream"

// The baseline: the smallest useful bot on the official SDK. It ACKs each callback and posts the text back to the
// session webhook; reconnects, pings and frame handling are the SDK's own. Only the gateway URL is changed, because
// the SDK hard-codes it and offers no option for it.

const required = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === "") throw new Error(`${name} is not set`)
  return value
}

const apiBase = required("BASELINE_API_BASE")
const credentials = {
  clientId: required("BASELINE_CLIENT_ID"),
  clientSecret: required("BASELINE_CLIENT_SECRET"),
}

class SimulatorClient extends DWClient {
  override async getEndpoint(): Promise<this> {
    const response = await fetch(new URL("/v1.0/gateway/connections/open", apiBase), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ ...credentials, ua: "baseline/1.0", subscriptions: this.config.subscriptions }),
    })
    const body = (await response.json()) as { endpoint?: string; ticket?: string }
    if (!response.ok || body.endpoint === undefined || body.ticket === undefined)
      throw new Error(`gateway answered HTTP ${response.status}`)
    ;(this as unknown as { dw_url: string }).dw_url = `${body.endpoint}?ticket=${body.ticket}`
    return this
  }
}

interface RobotCallback {
  readonly sessionWebhook?: string
  readonly text?: { readonly content?: string }
}

const client = new SimulatorClient({ ...credentials, keepAlive: false, debug: false })
client.registerCallbackListener(TOPIC_ROBOT, (frame) => {
  client.socketCallBackResponse(frame.headers.messageId, { ok: true })
  const message = JSON.parse(frame.data) as RobotCallback
  if (message.sessionWebhook === undefined) return
  const text = message.text?.content?.trim() ?? ""
  fetch(message.sessionWebhook, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ msgtype: "markdown", markdown: { title: text.slice(0, 20), text } }),
  }).catch((error: unknown) => console.error("webhook post failed", error))
})

process.once("SIGTERM", () => {
  client.disconnect()
  process.exit(0)
})

await client.connect()
