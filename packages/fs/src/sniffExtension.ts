const SIGNATURES: ReadonlyArray<readonly [string, ReadonlyArray<number>, number?]> = [
  ["png", [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ["jpg", [0xff, 0xd8, 0xff]],
  ["gif", [0x47, 0x49, 0x46, 0x38]],
  ["bmp", [0x42, 0x4d]],
  ["pdf", [0x25, 0x50, 0x44, 0x46]],
  ["zip", [0x50, 0x4b, 0x03, 0x04]],
  ["amr", [0x23, 0x21, 0x41, 0x4d, 0x52]],
  ["mp3", [0x49, 0x44, 0x33]],
  ["ogg", [0x4f, 0x67, 0x67, 0x53]],
]

const startsWith = (bytes: Uint8Array, signature: ReadonlyArray<number>, offset = 0) =>
  signature.every((byte, index) => bytes[offset + index] === byte)

/** Recognises common media by their first bytes; the content type a server claims comes second. */
export const extensionFromMagic = (head: Uint8Array): string | undefined => {
  for (const [extension, signature, offset] of SIGNATURES)
    if (startsWith(head, signature, offset)) return extension
  if (startsWith(head, [0x52, 0x49, 0x46, 0x46]) && startsWith(head, [0x57, 0x45, 0x42, 0x50], 8))
    return "webp"
  if (startsWith(head, [0x66, 0x74, 0x79, 0x70], 4)) return "mp4"
  return undefined
}

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
