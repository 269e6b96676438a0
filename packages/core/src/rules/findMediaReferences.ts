import { parseBlocks } from "./markdownBlocks.js"

/** How a referenced file goes out: `image` as a picture message, anything else (audio, video too) as a file. */
export type MediaKind = "image" | "file"

export type MediaTarget =
  /** A path on this host, as the agent wrote it (absolute, `~/…` or relative to the agent's workspace). */
  | { readonly _tag: "Local"; readonly path: string }
  /** An https image DingTalk can fetch itself. */
  | { readonly _tag: "Remote"; readonly url: string }

/** A Markdown image or link in an answer that names something to send as media. */
export interface MediaReference {
  /** Offsets of the whole `![alt](target)` / `[name](target)` in the answer. */
  readonly start: number
  readonly end: number
  readonly kind: MediaKind
  /** The last segment of the target: the only part of it a chat note may show. */
  readonly fileName: string
  readonly target: MediaTarget
}

const IMAGE_EXTENSIONS = new Set(["png", "jpg", "jpeg", "gif", "bmp", "webp"])
const REFERENCE = /(!?)\[([^\]\n]*)\]\(\s*(<[^>\n]+>|[^\s()]+)(?:\s+"[^"\n]*")?\s*\)/g
const INLINE_CODE = /(`+)[^`][\s\S]*?\1/g
const SCHEME = /^[a-z][a-z0-9+.-]*:/i

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

const lastSegment = (path: string): string => {
  const segments = path.split(/[/\\]/).filter((segment) => segment !== "")
  return segments.at(-1) ?? path
}

export const extensionOf = (fileName: string): string => {
  const dot = fileName.lastIndexOf(".")
  return dot <= 0 ? "" : fileName.slice(dot + 1).toLowerCase()
}

const pathnameOf = (url: string): string => {
  try {
    return safeDecode(new URL(url).pathname)
  } catch {
    return ""
  }
}

const kindOf = (fileName: string): MediaKind =>
  IMAGE_EXTENSIONS.has(extensionOf(fileName)) ? "image" : "file"

/** What a target names: a local file, an https image (image syntax only), or nothing to send (a web link, an anchor). */
const targetOf = (raw: string, imageSyntax: boolean): MediaTarget | undefined => {
  const target = raw.startsWith("<") ? raw.slice(1, -1).trim() : raw
  if (target === "" || target.startsWith("#")) return undefined
  if (/^https:\/\//i.test(target)) return imageSyntax ? { _tag: "Remote", url: target } : undefined
  if (/^file:\/\//i.test(target)) {
    const path = safeDecode(target.replace(/^file:\/\/(localhost)?/i, ""))
    return path.startsWith("/") ? { _tag: "Local", path } : undefined
  }
  if (SCHEME.test(target) || target.startsWith("//")) return undefined
  return { _tag: "Local", path: safeDecode(target) }
}

/** Offsets inside code (fenced blocks and inline code spans): references there are text, not media. */
const codeRanges = (markdown: string): ReadonlyArray<readonly [number, number]> => {
  const ranges: Array<readonly [number, number]> = []
  let offset = 0
  for (const block of parseBlocks(markdown)) {
    if (block.kind === "fence") ranges.push([offset, offset + block.text.length])
    else
      for (const match of block.text.matchAll(INLINE_CODE))
        ranges.push([offset + match.index, offset + match.index + match[0].length])
    offset += block.text.length
  }
  return ranges
}

/**
 * The media an answer references, in the order written: Markdown images and links whose target is a local path
 * (absolute, `~/`, relative or `file://`), and https images. Web links, anchors and anything inside code stay text.
 */
export const findMediaReferences = (markdown: string): ReadonlyArray<MediaReference> => {
  const code = codeRanges(markdown)
  const inCode = (index: number) => code.some(([from, to]) => index >= from && index < to)
  const found: Array<MediaReference> = []
  for (const match of markdown.matchAll(REFERENCE)) {
    if (inCode(match.index)) continue
    const imageSyntax = match[1] === "!"
    const target = targetOf(match[3] ?? "", imageSyntax)
    if (target === undefined) continue
    const fileName = lastSegment(target._tag === "Local" ? target.path : pathnameOf(target.url)) || "image"
    found.push({
      start: match.index,
      end: match.index + match[0].length,
      kind: target._tag === "Remote" ? "image" : kindOf(fileName),
      fileName,
      target,
    })
  }
  return found
}
