import { extensionFromMagic } from "@openpollen/core"
import type { ImageMediaType } from "./FileContent.js"

const MEDIA_TYPES: ReadonlyMap<string, ImageMediaType> = new Map([
  ["jpg", "image/jpeg"],
  ["png", "image/png"],
  ["gif", "image/gif"],
  ["webp", "image/webp"],
])

/** The media type of a picture a model API accepts, from its first bytes; undefined for anything else. */
export const imageMediaType = (head: Uint8Array): ImageMediaType | undefined => {
  const extension = extensionFromMagic(head)
  return extension === undefined ? undefined : MEDIA_TYPES.get(extension)
}
