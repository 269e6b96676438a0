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
