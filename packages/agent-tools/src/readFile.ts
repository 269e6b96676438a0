import { constants } from "node:fs"
import { type FileHandle, open } from "node:fs/promises"
import { extensionFromMagic } from "@openpollen/core"
import * as Effect from "effect/Effect"
import { capText, MAX_TEXT_BYTES } from "./capText.js"
import { confinePath } from "./confinePath.js"
import { describeFile } from "./describeFile.js"
import type { FileContent } from "./FileContent.js"
import { imageMediaType } from "./imageMediaType.js"
import { pdfText } from "./pdfText.js"

export interface ReadFileConfig {
  /** The folders whose files may be read: the uploads folder, and optionally a workspace. */
  readonly folders: ReadonlyArray<string>
  /** Pictures and PDFs larger than this are described, not read. Default 32 MiB. */
  readonly maxFileBytes?: number
}

const HEAD_BYTES = 16

const readAt = async (handle: FileHandle, length: number) => {
  const buffer = new Uint8Array(length)
  let filled = 0
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, filled)
    if (bytesRead === 0) break
    filled += bytesRead
  }
  return buffer.subarray(0, filled)
}

const textOf = (bytes: Uint8Array): string | undefined => {
  if (bytes.includes(0)) return undefined
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: true })
  } catch {
    return undefined
  }
}

const serve = async (requested: string, config: ReadFileConfig): Promise<FileContent> => {
  const confined = await confinePath(requested, config.folders)
  if ("refused" in confined) return { _tag: "Refused", message: confined.refused }
  const path = confined.path
  // O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: the checked path must still be no link.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW).catch(
    () => undefined,
  )
  if (handle === undefined) return { _tag: "Refused", message: `${requested}: cannot be opened` }
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) return { _tag: "Refused", message: `${requested}: not a regular file` }
    const maxFileBytes = config.maxFileBytes ?? 32 * 1024 * 1024
    const head = await readAt(handle, HEAD_BYTES)
    const kind = extensionFromMagic(head)
    const mediaType = imageMediaType(head)
    if (mediaType !== undefined || kind === "pdf") {
      if (stat.size > maxFileBytes)
        return { _tag: "Text", text: describeFile(path, kind, stat.size, "too large to read") }
      const bytes = await readAt(handle, stat.size)
      if (mediaType !== undefined) return { _tag: "Image", name: path, mediaType, bytes }
      const text = await pdfText(bytes)
      return {
        _tag: "Text",
        text:
          text === undefined
            ? describeFile(path, "pdf", stat.size, "its text cannot be extracted")
            : capText(text),
      }
    }
    const start = await readAt(handle, Math.min(stat.size, MAX_TEXT_BYTES + 4))
    const text = textOf(start)
    if (text === undefined) return { _tag: "Text", text: describeFile(path, kind, stat.size) }
    if (stat.size <= MAX_TEXT_BYTES) return { _tag: "Text", text }
    const kept = textOf(start.subarray(0, MAX_TEXT_BYTES)) ?? ""
    return {
      _tag: "Text",
      text: `${kept}\n\n[cut: showing the first ${MAX_TEXT_BYTES} of ${stat.size} bytes]`,
    }
  } finally {
    await handle.close()
  }
}

/**
 * The `read_file` tool: serves files inside the configured folders only — anything else (`..`, absolute paths
 * elsewhere, symlinks out, devices, FIFOs) is a Refused result, never the file.
 */
export const makeReadFile =
  (config: ReadFileConfig) =>
  (path: string): Effect.Effect<FileContent> =>
    Effect.promise(() =>
      serve(path, config).catch((): FileContent => ({ _tag: "Refused", message: `${path}: cannot be read` })),
    )
