import { lstat, readdir, rm } from "node:fs/promises"
import { join } from "node:path"
import { FileStoreError } from "@openpollen/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { storedNameKind } from "./storedName.js"

export interface Retention {
  readonly maxAgeMs: number
  readonly maxTotalBytes: number
}

/**
 * Removes uploads older than maxAgeMs, then the oldest until the folder is under maxTotalBytes. Returns what went.
 * Only regular files with the names this store generates count; anything else (an operator's file, a symlink, a
 * folder) is never touched.
 */
export const sweepUploads = (root: string, retention: Retention) =>
  Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    const files = yield* Effect.tryPromise({
      try: async () => {
        const names = await readdir(root)
        const entries = await Promise.all(
          names.map(async (name) => {
            const kind = storedNameKind(name)
            if (kind === undefined) return undefined
            const path = join(root, name)
            const info = await lstat(path).catch(() => undefined)
            return info?.isFile()
              ? { path, size: info.size, modifiedAt: info.mtimeMs, partial: kind === "partial" }
              : undefined
          }),
        )
        return entries.filter((entry) => entry !== undefined).sort((a, b) => a.modifiedAt - b.modifiedAt)
      },
      catch: () => new FileStoreError({ reason: "io", message: "uploads folder: listing failed" }),
    })
    const doomed = new Set<string>()
    for (const file of files) if (now - file.modifiedAt > retention.maxAgeMs) doomed.add(file.path)
    // A download still in progress is bounded by the size cap; it neither counts towards the total nor is removed for it.
    let total = files.reduce(
      (sum, file) => (doomed.has(file.path) || file.partial ? sum : sum + file.size),
      0,
    )
    for (const file of files) {
      if (total <= retention.maxTotalBytes) break
      if (doomed.has(file.path) || file.partial) continue
      doomed.add(file.path)
      total -= file.size
    }
    yield* Effect.promise(() =>
      Promise.all([...doomed].map((path) => rm(path, { force: true }).catch(() => undefined))),
    )
    return [...doomed]
  })
