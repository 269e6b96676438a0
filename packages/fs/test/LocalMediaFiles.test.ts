import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { mediaFilesContract } from "@openpollen/contracts"
import { MediaFiles } from "@openpollen/core"
import { LocalMediaFiles } from "@openpollen/fs"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { afterAll } from "vitest"

const scratch = mkdtempSync(join(tmpdir(), "media-files-"))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

let counter = 0
/** An uploads folder, a workspace and a folder outside both, fresh for each test. */
const folders = () => {
  const base = join(scratch, String(++counter))
  const uploads = join(base, "uploads")
  const workspace = join(base, "workspace")
  const outside = join(base, "outside")
  for (const folder of [uploads, workspace, outside]) mkdirSync(folder, { recursive: true })
  writeFileSync(join(outside, "secret.txt"), "top secret")
  return { base, uploads, workspace, outside }
}

mediaFilesContract("LocalMediaFiles", () => {
  const { uploads, workspace, outside } = folders()
  return {
    layer: LocalMediaFiles.layer({ roots: [uploads, workspace], baseDir: workspace }),
    addFile: async (name, bytes) => {
      writeFileSync(join(uploads, name), bytes)
      return join(uploads, name)
    },
    missingPath: async () => join(workspace, "gone.pdf"),
    outsidePath: async () => join(outside, "secret.txt"),
  }
})

describe("LocalMediaFiles", () => {
  const refusal = (roots: ReturnType<typeof folders>, path: string) =>
    Effect.gen(function* () {
      return yield* (yield* MediaFiles).resolve(path).pipe(Effect.flip)
    }).pipe(
      Effect.provide(
        LocalMediaFiles.layer({ roots: [roots.uploads, roots.workspace], baseDir: roots.workspace }),
      ),
    )

  it.effect("reads a relative path from the workspace", () => {
    const roots = folders()
    writeFileSync(join(roots.workspace, "chart.png"), "png!")
    return Effect.gen(function* () {
      const file = yield* (yield* MediaFiles).resolve("chart.png")
      expect(file).toMatchObject({ fileName: "chart.png", bytes: 4 })
    }).pipe(
      Effect.provide(
        LocalMediaFiles.layer({ roots: [roots.uploads, roots.workspace], baseDir: roots.workspace }),
      ),
    )
  })

  it.effect("refuses /etc/passwd, a ../ escape and a symlink pointing out, naming only the file", () => {
    const roots = folders()
    symlinkSync(join(roots.outside, "secret.txt"), join(roots.workspace, "innocent.txt"))
    symlinkSync(roots.outside, join(roots.uploads, "linked-folder"))
    return Effect.gen(function* () {
      for (const path of [
        "/etc/passwd",
        "../outside/secret.txt",
        join(roots.workspace, "..", "outside", "secret.txt"),
        "innocent.txt",
        join(roots.uploads, "linked-folder", "secret.txt"),
      ]) {
        const error = yield* refusal(roots, path)
        expect(error).toMatchObject({ _tag: "MediaFileRefused", reason: "outside" })
        expect(error.message).not.toContain("/")
      }
    })
  })

  it.effect("refuses a folder and a dangling path inside the roots without saying where they are", () => {
    const roots = folders()
    mkdirSync(join(roots.workspace, "reports"))
    return Effect.gen(function* () {
      expect(yield* refusal(roots, "reports")).toMatchObject({ reason: "unreadable", fileName: "reports" })
      expect(yield* refusal(roots, "nothing.pdf")).toMatchObject({
        reason: "missing",
        fileName: "nothing.pdf",
      })
    })
  })

  it.effect("refuses at read time a file swapped for a symlink pointing out after it was resolved", () => {
    const roots = folders()
    const path = join(roots.workspace, "report.pdf")
    writeFileSync(path, "pdf!")
    return Effect.gen(function* () {
      const file = yield* (yield* MediaFiles).resolve(path)
      rmSync(path)
      symlinkSync(join(roots.outside, "secret.txt"), path)
      const error = yield* Stream.runDrain(file.read).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "MediaFileRefused" })
    }).pipe(
      Effect.provide(
        LocalMediaFiles.layer({ roots: [roots.uploads, roots.workspace], baseDir: roots.workspace }),
      ),
    )
  })
})
