import type { IncomingMessage, ServerResponse } from "node:http"
import { Readable } from "node:stream"
import type { AccessTokens } from "./AccessTokens.js"
import { apiError } from "./apiError.js"
import { applyFault } from "./applyFault.js"
import type { CounterState } from "./Counters.js"
import { type Faults, sleep } from "./Faults.js"
import { isRecord, parseJson, readBody, sendJson } from "./http.js"
import { ids } from "./ids.js"

const MEDIA_CHUNK = 64 * 1024

export type Media =
  | { readonly bytes: Uint8Array; readonly contentType: string }
  | { readonly size: number; readonly contentType: string }

/** Files users sent: a downloadCode is exchanged for a short-lived URL, which serves the bytes. */
export class MediaDownloads {
  private readonly media = new Map<string, Media>()
  private readonly downloads = new Map<string, string>()
  private readonly drips = new WeakMap<ServerResponse, number>()

  constructor(
    private readonly url: () => string,
    private readonly counters: CounterState,
    private readonly faults: Faults,
    private readonly tokens: AccessTokens,
  ) {}

  register(media: Media): string {
    const code = ids.downloadCode()
    this.media.set(code, media)
    return code
  }

  private fault(endpoint: "download" | "downloadUrl", response: ServerResponse): Promise<boolean> {
    return applyFault(this.faults, endpoint, response, (dripMs) => this.drips.set(response, dripMs))
  }

  /** `POST /v1.0/robot/messageFiles/download`: a downloadCode for a download URL. */
  async download(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const body = parseJson(await readBody(request))
    if (await this.fault("download", response)) return true
    const app = this.tokens.authorize(request, response)
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
      downloadUrl: `${this.url()}/media/${id}?Expires=300&Signature=${ids.token()}`,
    })
    return true
  }

  /** `GET /media/<id>`: the bytes behind a download URL, like the object storage DingTalk signs URLs for. */
  async serve(request: IncomingMessage, response: ServerResponse, id: string): Promise<boolean> {
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
}
