import { describe, expect, it } from "@effect/vitest"
import { chooseExtension, extensionFromMagic } from "@openpollen/fs"
import fc from "fast-check"

const bytes = (...values: ReadonlyArray<number>) => new Uint8Array([...values, 0, 0, 0, 0, 0, 0, 0, 0])
const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0))

describe("extensionFromMagic", () => {
  it.each([
    ["png", bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)],
    ["jpg", bytes(0xff, 0xd8, 0xff, 0xe0)],
    ["gif", bytes(...ascii("GIF89a"))],
    ["webp", bytes(...ascii("RIFF"), 1, 2, 3, 4, ...ascii("WEBPVP8 "))],
    ["bmp", bytes(...ascii("BM"))],
    ["pdf", bytes(...ascii("%PDF-1.7"))],
    ["mp4", bytes(0, 0, 0, 0x20, ...ascii("ftypisom"))],
    ["amr", bytes(...ascii("#!AMR\n"))],
    ["mp3", bytes(...ascii("ID3"), 4)],
    ["zip", bytes(0x50, 0x4b, 0x03, 0x04)],
  ])("recognises %s", (extension, head) => {
    expect(extensionFromMagic(head)).toBe(extension)
  })

  it("does not call a RIFF that is not WEBP a webp", () => {
    expect(extensionFromMagic(bytes(...ascii("RIFF"), 1, 2, 3, 4, ...ascii("WAVEfmt ")))).toBeUndefined()
  })
})

/** Arbitrary network strings, with the ones that have bitten lookup tables before. */
const networkString = fc.option(
  fc.oneof(fc.string(), fc.constantFrom("__proto__", "constructor", "toString", "image/png", "xlsx", "../x")),
)

describe("chooseExtension", () => {
  it("trusts the bytes over a claimed content type", () => {
    expect(chooseExtension(bytes(...ascii("%PDF")), "image/png")).toBe("pdf")
    expect(chooseExtension(bytes(1, 2, 3), "image/jpeg; charset=x")).toBe("jpg")
    expect(chooseExtension(bytes(1, 2, 3), "AUDIO/AMR")).toBe("amr")
  })

  it("names an Office zip from its content type or hint, otherwise zip", () => {
    const zip = bytes(0x50, 0x4b, 0x03, 0x04)
    const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    expect(chooseExtension(zip, xlsxType)).toBe("xlsx")
    expect(chooseExtension(zip, undefined, "docx")).toBe("docx")
    expect(chooseExtension(zip, "application/octet-stream", "exe")).toBe("zip")
  })

  it("accepts a hint only when it is a short lowercase word", () => {
    expect(chooseExtension(bytes(1), undefined, "xlsx")).toBe("xlsx")
    for (const hostile of [
      "../../x",
      "/etc/passwd",
      "a".repeat(500),
      "mIo/N+zo",
      "PNG",
      "",
      "a.b",
      "__proto__",
      "constructor",
    ])
      expect(chooseExtension(bytes(1), hostile, hostile)).toBe("bin")
  })

  it("never returns anything but a short lowercase word, whatever it is given", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), networkString, networkString, (head, type, hint) => {
        expect(chooseExtension(head, type ?? undefined, hint ?? undefined)).toMatch(/^[a-z0-9]{1,8}$/)
      }),
    )
  })
})
