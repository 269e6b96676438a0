import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type FileContent, MAX_TEXT_BYTES, makeReadFile } from "../src/index.js"
import { minimalPdf } from "./support/minimalPdf.js"

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3, 4, 5])

const setup = () => {
  const base = mkdtempSync(join(tmpdir(), "read-file-"))
  const uploads = join(base, "uploads")
  const workspace = join(base, "workspace")
  const outside = join(base, "outside")
  for (const dir of [uploads, workspace, outside]) mkdirSync(dir)
  writeFileSync(join(uploads, "notes.txt"), "第一行\nsecond line")
  writeFileSync(join(outside, "secret.txt"), "top secret")
  writeFileSync(join(workspace, "plan.md"), "# plan")
  return { base, uploads, workspace, outside }
}

const read = (folders: ReadonlyArray<string>, path: string) =>
  Effect.runPromise(makeReadFile({ folders })(path))
const refused = (content: FileContent) => content._tag === "Refused"

describe("read_file", () => {
  it("serves a text file inside the uploads folder, by absolute or relative path", async () => {
    const { uploads } = setup()
    expect(await read([uploads], join(uploads, "notes.txt"))).toEqual({
      _tag: "Text",
      text: "第一行\nsecond line",
    })
    expect(await read([uploads], "notes.txt")).toEqual({ _tag: "Text", text: "第一行\nsecond line" })
  })

  it("serves the workspace folder too, when it is allowed", async () => {
    const { uploads, workspace } = setup()
    expect(await read([uploads, workspace], join(workspace, "plan.md"))).toEqual({
      _tag: "Text",
      text: "# plan",
    })
    expect(refused(await read([uploads], join(workspace, "plan.md")))).toBe(true)
  })

  it("refuses .., absolute paths elsewhere, symlinks out, directories, FIFOs and missing files", async () => {
    const { uploads, outside } = setup()
    symlinkSync(join(outside, "secret.txt"), join(uploads, "link.txt"))
    symlinkSync(outside, join(uploads, "linked-dir"))
    execFileSync("mkfifo", [join(uploads, "pipe")])
    mkdirSync(join(uploads, "folder"))
    const attempts = [
      join(uploads, "..", "outside", "secret.txt"),
      "../outside/secret.txt",
      join(outside, "secret.txt"),
      "/etc/passwd",
      join(uploads, "link.txt"),
      join(uploads, "linked-dir", "secret.txt"),
      join(uploads, "pipe"),
      join(uploads, "folder"),
      join(uploads, "missing.txt"),
      "/dev/zero",
      "",
    ]
    for (const path of attempts) {
      const content = await read([uploads], path)
      expect(content._tag, path).toBe("Refused")
      expect(JSON.stringify(content)).not.toContain("top secret")
    }
  })

  it("cuts text past 100 KB at a character boundary and says so", async () => {
    const { uploads } = setup()
    writeFileSync(join(uploads, "long.txt"), "长".repeat(50_000))
    const content = await read([uploads], join(uploads, "long.txt"))
    if (content._tag !== "Text") throw new Error(content._tag)
    const [kept, note] = content.text.split("\n\n")
    expect(new TextEncoder().encode(kept).length).toBeLessThanOrEqual(MAX_TEXT_BYTES)
    expect(kept).toBe("长".repeat(Math.floor(MAX_TEXT_BYTES / 3)))
    expect(note).toBe(`[cut: showing the first ${MAX_TEXT_BYTES} of 150000 bytes]`)
  })

  it("returns a picture's exact bytes with its type sniffed from the bytes, whatever its name", async () => {
    const { uploads } = setup()
    writeFileSync(join(uploads, "photo.bin"), PNG)
    const content = await read([uploads], join(uploads, "photo.bin"))
    expect(content).toMatchObject({ _tag: "Image", mediaType: "image/png" })
    expect(content._tag === "Image" && [...content.bytes]).toEqual([...PNG])
  })

  it("returns a PDF's text", async () => {
    const { uploads } = setup()
    writeFileSync(join(uploads, "report.pdf"), minimalPdf("Quarterly numbers are up"))
    const content = await read([uploads], join(uploads, "report.pdf"))
    expect(content._tag).toBe("Text")
    expect(content._tag === "Text" && content.text).toContain("Quarterly numbers are up")
  })

  it("describes other files by name, type and size", async () => {
    const { uploads } = setup()
    writeFileSync(join(uploads, "archive.zip"), new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]))
    writeFileSync(join(uploads, "blob.dat"), new Uint8Array([1, 0, 2, 0xff]))
    expect(await read([uploads], join(uploads, "archive.zip"))).toEqual({
      _tag: "Text",
      text: "archive.zip: zip, 8 bytes",
    })
    expect(await read([uploads], join(uploads, "blob.dat"))).toEqual({
      _tag: "Text",
      text: "blob.dat: dat, 4 bytes",
    })
  })
})
