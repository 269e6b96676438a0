import { closeSync, openSync, rmSync, writeSync } from "node:fs"
import type { IncomingMessage } from "node:http"

export type ReceivedFile =
  | {
      readonly _tag: "Stored"
      readonly fileName: string
      readonly contentType: string
      readonly size: number
    }
  | { readonly _tag: "TooLarge" }
  | { readonly _tag: "Missing" }

const HEADER_END = Buffer.from("\r\n\r\n")
const MAX_HEADER_BYTES = 16 * 1024

const headerValue = (headers: string, key: string): string | undefined => {
  const star = new RegExp(`(?:^|[;\\s])${key}\\*=UTF-8''([^;\\r\\n]+)`, "i").exec(headers)?.[1]
  if (star !== undefined) return decodeURIComponent(star)
  return new RegExp(`(?:^|[;\\s])${key}="([^"]*)"`, "i").exec(headers)?.[1]
}

/**
 * Streams the first part of a multipart/form-data body to `path` if it is the file field `field`, without holding
 * the file in memory; past `capBytes` it stops writing, removes the file and only drains the rest.
 */
export const receiveMultipartFile = (
  request: IncomingMessage,
  field: string,
  path: string,
  capBytes: number,
): Promise<ReceivedFile> =>
  new Promise((resolve, reject) => {
    const contentType = request.headers["content-type"] ?? ""
    const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
    const marker = match?.[1] ?? match?.[2]
    const delimiter = Buffer.from(`\r\n--${marker ?? ""}`)
    let state: "headers" | "body" | "done" | "skip" = marker === undefined ? "skip" : "headers"
    let pending: Buffer = Buffer.alloc(0)
    let size = 0
    let fd: number | undefined
    let result: ReceivedFile = { _tag: "Missing" }
    const close = () => {
      if (fd !== undefined) closeSync(fd)
      fd = undefined
    }
    const finish = (outcome: ReceivedFile) => {
      close()
      if (outcome._tag !== "Stored") rmSync(path, { force: true })
      result = outcome
      state = outcome._tag === "Stored" ? "done" : "skip"
    }
    const write = (bytes: Buffer) => {
      size += bytes.length
      if (size > capBytes) return finish({ _tag: "TooLarge" })
      if (bytes.length > 0 && fd !== undefined) writeSync(fd, bytes)
    }
    const onHeaders = () => {
      const start = pending.indexOf(`--${marker}\r\n`)
      const end = pending.indexOf(HEADER_END, Math.max(start, 0))
      if (start === -1 || end === -1) {
        if (pending.length > MAX_HEADER_BYTES) finish({ _tag: "Missing" })
        return
      }
      const headers = pending.subarray(start, end).toString("utf8")
      if (headerValue(headers, "name") !== field) return finish({ _tag: "Missing" })
      const fileName = headerValue(headers, "filename") ?? "file"
      const partType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? "application/octet-stream"
      fd = openSync(path, "w", 0o600)
      result = { _tag: "Stored", fileName, contentType: partType, size: 0 }
      pending = pending.subarray(end + HEADER_END.length)
      state = "body"
      onBody()
    }
    const end = (before: Buffer) => {
      write(before)
      if (result._tag === "Stored") finish({ ...result, size })
    }
    /** `pending` is at most a delimiter long, so a chunk is written as it came, never copied whole. */
    const onChunk = (chunk: Buffer) => {
      if (chunk.length < delimiter.length) {
        pending = Buffer.concat([pending, chunk])
        return onBody()
      }
      const seam = Buffer.concat([pending, chunk.subarray(0, delimiter.length)])
      const inSeam = seam.indexOf(delimiter)
      if (inSeam !== -1 && inSeam < pending.length) return end(seam.subarray(0, inSeam))
      const inChunk = chunk.indexOf(delimiter)
      write(pending)
      if (inChunk !== -1) return end(chunk.subarray(0, inChunk))
      write(chunk.subarray(0, chunk.length - delimiter.length))
      pending = Buffer.from(chunk.subarray(chunk.length - delimiter.length))
    }
    const onBody = () => {
      const at = pending.indexOf(delimiter)
      if (at !== -1) return end(pending.subarray(0, at))
      const keep = Math.min(pending.length, delimiter.length)
      write(pending.subarray(0, pending.length - keep))
      pending = Buffer.from(pending.subarray(pending.length - keep))
    }
    request.on("data", (chunk: Buffer) => {
      if (state === "done" || state === "skip") return
      if (state === "body") return onChunk(chunk)
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      onHeaders()
    })
    let settled = false
    const settle = () => {
      if (settled) return
      settled = true
      if (state === "body" || state === "headers") finish({ _tag: "Missing" })
      resolve(result)
    }
    request.on("end", settle)
    // A client that aborts mid-upload ends with `close` and no `end`: the partial file goes.
    request.on("close", settle)
    request.on("error", (error) => {
      if (settled) return
      settled = true
      finish({ _tag: "Missing" })
      reject(error)
    })
  })
