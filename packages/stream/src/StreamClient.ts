import { DWClient, type DWClientDownStream } from "dingtalk-stream"
import WebSocket from "ws"
import { corkUntilNextTick } from "./corkUntilNextTick.js"

/** The one private field of `DWClient` we write: `send` and the ping echo both write to it (2.1.5). */
interface SdkPrivates {
  socket?: WebSocket
}

/**
 * The official client, reduced to the wire format of what the bot writes back: callback and event ACKs and the
 * ping echo. It overrides nothing; the socket, the gateway call, frame parsing and reconnecting are ours, so the
 * SDK's defective paths (`connect`, `_connect`, `getEndpoint`, `onDownStream`) never run. One per socket, never
 * reused. It never holds the app secret: the SDK's constructor only insists on a non-empty one.
 */
export class StreamClient extends DWClient {
  constructor(
    clientId: string,
    private readonly ws: WebSocket,
  ) {
    super({ clientId, clientSecret: "unused", keepAlive: false, debug: false })
    this.config.autoReconnect = false
    ;(this as unknown as SdkPrivates).socket = ws
  }

  /** The CALLBACK ACK; false when the socket is no longer open (DingTalk redelivers what was not ACKed). */
  ackCallback(messageId: string): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return false
    corkUntilNextTick(this.ws)
    this.send(messageId, { response: null })
    return true
  }

  ackEvent(messageId: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.send(messageId, { status: "SUCCESS" })
  }

  /** Answers a SYSTEM `ping` the way the SDK does: same headers, same data. */
  echoPing(frame: DWClientDownStream): void {
    if (this.ws.readyState === WebSocket.OPEN) this.onSystem(frame)
  }
}
