import { randomBytes } from "node:crypto"
import { createReadStream, mkdtempSync, readFileSync, rmSync } from "node:fs"
import type { IncomingMessage, ServerResponse } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { AccessTokens } from "./AccessTokens.js"
import { applyFault } from "./applyFault.js"
import type { CounterState } from "./Counters.js"
import type { Faults } from "./Faults.js"
import { sendJson } from "./http.js"
import { receiveMultipartFile } from "./receiveMultipartFile.js"
import type { UploadedMedia } from "./SimulatorApi.js"

export type MediaType = UploadedMedia["type"]

/** DingTalk's limits for `media/upload`, by type. */
export const UPLOAD_LIMITS: Readonly<Record<MediaType, number>> = {
  image: 20 * 1024 * 1024,
  voice: 2 * 1024 * 1024,
  video: 20 * 1024 * 1024,
  file: 20 * 1024 * 1024,
}

const isMediaType = (type: string | null): type is MediaType => type !== null && type in UPLOAD_LIMITS

/**
 * `POST /media/upload` (oapi): files the robot sends, streamed to a temp folder (never held in memory, so a test can
 * measure the uploader's memory) and kept by media_id; the sandbox shows them from `GET /uploaded/<media_id>`.
 */
export class MediaUploads {
  private readonly stored = new Map<string, UploadedMedia & { readonly path: string }>()
  private folder: string | undefined

  constructor(
    private readonly url: () => string,
    private readonly counters: CounterState,
    private readonly faults: Faults,
    private readonly tokens: AccessTokens,
  ) {}

  get(mediaId: string): UploadedMedia | undefined {
    const media = this.stored.get(mediaId)
    if (media === undefined) return undefined
    const { path, ...shown } = media
    return shown
  }

  /** The bytes of an upload, read from its file. */
  bytesOf(mediaId: string): Uint8Array | undefined {
    const media = this.stored.get(mediaId)
    return media === undefined ? undefined : new Uint8Array(readFileSync(media.path))
  }

  close(): void {
    if (this.folder !== undefined) rmSync(this.folder, { recursive: true, force: true })
    this.folder = undefined
  }

  async upload(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
    this.counters.mediaUploads += 1
    this.folder ??= mkdtempSync(join(tmpdir(), "dingtalk-sim-media-"))
    const path = join(this.folder, randomBytes(12).toString("hex"))
    const type = url.searchParams.get("type")
    const limit = isMediaType(type) ? UPLOAD_LIMITS[type] : 0
    const received = await receiveMultipartFile(request, "media", path, limit)
    const drop = () => rmSync(path, { force: true })
    if (await applyFault(this.faults, "mediaUpload", response)) {
      drop()
      return true
    }
    const app = this.tokens.appOf(url.searchParams.get("access_token") ?? "")
    if (app === undefined) {
      drop()
      sendJson(response, 200, { errcode: 40014, errmsg: "不合法的access_token" })
      return true
    }
    if (!isMediaType(type)) {
      drop()
      sendJson(response, 200, { errcode: 40004, errmsg: "不合法的媒体文件类型" })
      return true
    }
    if (received._tag === "TooLarge") {
      sendJson(response, 200, { errcode: 40006, errmsg: "不合法的文件大小" })
      return true
    }
    if (received._tag === "Missing" || received.size === 0) {
      drop()
      sendJson(response, 200, { errcode: 41005, errmsg: "缺少多媒体文件数据" })
      return true
    }
    const mediaId = `@lA${randomBytes(18).toString("base64url")}`
    this.stored.set(mediaId, {
      mediaId,
      clientId: app.clientId,
      type,
      fileName: received.fileName,
      contentType: received.contentType,
      size: received.size,
      url: `${this.url()}/uploaded/${encodeURIComponent(mediaId)}`,
      path,
    })
    sendJson(response, 200, { errcode: 0, errmsg: "ok", type, media_id: mediaId, created_at: Date.now() })
    return true
  }

  /** `GET /uploaded/<media_id>`: the bytes of an upload (not a DingTalk API; the sandbox page uses it). */
  serve(response: ServerResponse, encodedId: string): boolean {
    const media = this.stored.get(decodeURIComponent(encodedId))
    if (media === undefined) {
      sendJson(response, 404, { code: "NotFound", message: "no such media" })
      return true
    }
    response.writeHead(200, {
      "content-type": media.contentType,
      "content-length": media.size,
      "content-disposition": `inline; filename*=UTF-8''${encodeURIComponent(media.fileName)}`,
    })
    createReadStream(media.path).pipe(response)
    return true
  }
}
