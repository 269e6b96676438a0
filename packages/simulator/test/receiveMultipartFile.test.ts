import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import type { IncomingMessage } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Readable } from "node:stream"
import { afterAll, describe, expect, it } from "vitest"
import { receiveMultipartFile } from "../src/receiveMultipartFile.js"

const folder = mkdtempSync(join(tmpdir(), "multipart-"))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

const BOUNDARY = "----openpollen-test"
const body = (file: Uint8Array, field = "media") =>
  Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="a.pdf"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf\r\n` +
        "Content-Type: application/pdf\r\n\r\n",
    ),
    file,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ])

/** The body as a request that arrives in chunks of the given sizes (the last one repeats). */
const requestOf = (bytes: Buffer, sizes: ReadonlyArray<number>) => {
  const chunks: Array<Buffer> = []
  for (let offset = 0, index = 0; offset < bytes.length; index += 1) {
    const size = sizes[Math.min(index, sizes.length - 1)] ?? 1
    chunks.push(bytes.subarray(offset, offset + size))
    offset += size
  }
  return Object.assign(Readable.from(chunks), {
    headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
  }) as unknown as IncomingMessage
}

// A file that contains most of the closing delimiter, so a seam between chunks can fool a naive search.
const tricky = Buffer.concat([
  Buffer.from("start\r\n--"),
  Buffer.from(BOUNDARY.slice(0, -1)),
  Buffer.alloc(5_000, 7),
])

describe("receiveMultipartFile", () => {
  it.each([
    ["one chunk", [1_000_000]],
    ["one byte at a time", [1]],
    ["chunks shorter than the delimiter", [3, 17]],
    ["chunks that split the delimiter", [4_000, 4_051, 1_000]],
  ])("stores exactly the file, %s", async (_, sizes) => {
    const path = join(folder, `${sizes.join("-")}.bin`)
    const received = await receiveMultipartFile(requestOf(body(tricky), sizes), "media", path, 1_000_000)
    expect(received).toEqual({
      _tag: "Stored",
      fileName: "报告.pdf",
      contentType: "application/pdf",
      size: tricky.length,
    })
    expect(readFileSync(path)).toEqual(tricky)
  })

  it("refuses a file over the cap and leaves nothing behind", async () => {
    const path = join(folder, "big.bin")
    const received = await receiveMultipartFile(
      requestOf(body(Buffer.alloc(2_001)), [700]),
      "media",
      path,
      2_000,
    )
    expect(received).toEqual({ _tag: "TooLarge" })
    expect(() => readFileSync(path)).toThrow()
  })

  it("finds nothing in another field", async () => {
    const path = join(folder, "other.bin")
    expect(
      await receiveMultipartFile(requestOf(body(tricky, "file"), [512]), "media", path, 1_000_000),
    ).toEqual({
      _tag: "Missing",
    })
  })
})
