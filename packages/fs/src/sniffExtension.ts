import { extensionFromMagic } from "@openpollen/core"

export { extensionFromMagic }

// A Map, not an object: a content type such as "__proto__" comes from the network.
const CONTENT_TYPES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/jpg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/bmp": "bmp",
    "application/pdf": "pdf",
    "video/mp4": "mp4",
    "audio/amr": "amr",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "application/zip": "zip",
    "text/plain": "txt",
    "application/json": "json",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
  }),
)

export const extensionFromContentType = (contentType: string | undefined): string | undefined =>
  contentType === undefined
    ? undefined
    : CONTENT_TYPES.get(contentType.split(";")[0]?.trim().toLowerCase() ?? "")

const SAFE_HINT = /^[a-z0-9]{1,8}$/

/** Office files are zip archives: their bytes say zip, their declared type says which. */
const OFFICE: ReadonlyArray<string> = ["xlsx", "docx", "pptx"]

/** The extension a stored file gets: never anything taken from the network unless it is a short alphanumeric word. */
export const chooseExtension = (head: Uint8Array, contentType?: string, hint?: string): string => {
  const magic = extensionFromMagic(head)
  if (magic === "zip") {
    const declared = [extensionFromContentType(contentType), hint].find(
      (candidate) => candidate !== undefined && OFFICE.includes(candidate),
    )
    return declared ?? "zip"
  }
  return (
    magic ??
    extensionFromContentType(contentType) ??
    (hint !== undefined && SAFE_HINT.test(hint) ? hint : "bin")
  )
}
