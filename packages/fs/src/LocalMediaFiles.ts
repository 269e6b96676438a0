import { constants } from "node:fs"
import { open, realpath, stat } from "node:fs/promises"
import { homedir } from "node:os"
import { basename, isAbsolute, relative, resolve } from "node:path"
import { type LocalMedia, MediaFileRefused, MediaFiles } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

export interface LocalMediaFilesConfig {
  /** The folders an answer's files may come from (the uploads folder, the agent's workspace). */
  readonly roots: ReadonlyArray<string>
  /** Relative paths are read from here (the agent's workspace). Default: the first root. */
  readonly baseDir?: string
}

const READ_CHUNK_BYTES = 64 * 1024

const inside = (root: string, path: string) => {
  const rest = relative(root, path)
  return rest === "" || (!rest.startsWith("..") && !isAbsolute(rest))
}

const errnoOf = (error: unknown) => (error as { readonly code?: unknown } | undefined)?.code

/** Realpaths of the roots that exist now (a root may be created after start). */
const realRoots = (roots: ReadonlyArray<string>) =>
  Promise.all(roots.map((root) => realpath(root).catch(() => undefined))).then((found) =>
    found.filter((root): root is string => root !== undefined),
  )

const refuse = (reason: MediaFileRefused["reason"], fileName: string) =>
  new MediaFileRefused({
    reason,
    fileName,
    message:
      reason === "outside"
        ? `${fileName} is outside the folders the bot may share`
        : reason === "missing"
          ? `${fileName} does not exist`
          : `${fileName} is not a readable file`,
  })

/**
 * Checks a path once `~`, `..` and every symlink are resolved: only a regular file under a root's real path passes.
 * Answers that real path, which the read opens again after the same check.
 */
const confine = async (roots: ReadonlyArray<string>, absolute: string, fileName: string): Promise<string> => {
  const allowed = await realRoots(roots)
  if (
    !allowed.some((root) => inside(root, absolute)) &&
    !roots.some((root) => inside(resolve(root), absolute))
  )
    throw refuse("outside", fileName)
  const real = await realpath(absolute).catch((error: unknown) => {
    throw refuse(errnoOf(error) === "ENOENT" ? "missing" : "unreadable", fileName)
  })
  if (!allowed.some((root) => inside(root, real))) throw refuse("outside", fileName)
  return real
}

const asRefusal = (fileName: string) => (error: unknown) =>
  error instanceof MediaFileRefused ? error : refuse("unreadable", fileName)

export const makeLocalMediaFiles = (config: LocalMediaFilesConfig) => {
  const roots = config.roots.map((root) => resolve(root))
  const baseDir = resolve(config.baseDir ?? roots[0] ?? ".")
  const resolvePath = (path: string): Effect.Effect<LocalMedia, MediaFileRefused> => {
    const expanded = path === "~" || path.startsWith("~/") ? `${homedir()}${path.slice(1)}` : path
    const absolute = resolve(baseDir, expanded)
    const fileName = basename(absolute)
    return Effect.tryPromise({
      try: async () => {
        const real = await confine(roots, absolute, fileName)
        const info = await stat(real)
        if (!info.isFile()) throw refuse("unreadable", fileName)
        return { real, bytes: info.size }
      },
      catch: asRefusal(fileName),
    }).pipe(
      Effect.map(({ real, bytes }) => ({
        fileName,
        bytes,
        read: Stream.unwrap(
          Effect.tryPromise({
            // O_NOFOLLOW: a symlink swapped in after the check is refused when the file is opened.
            try: async () =>
              open(await confine(roots, real, fileName), constants.O_RDONLY | constants.O_NOFOLLOW),
            catch: asRefusal(fileName),
          }).pipe(
            Effect.map((handle) =>
              Stream.fromAsyncIterable(
                handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Uint8Array>,
                asRefusal(fileName),
              ),
            ),
          ),
        ),
      })),
    )
  }
  return MediaFiles.of({ resolve: resolvePath })
}

/** MediaFiles over the local disk, confined to the configured roots. */
export const LocalMediaFiles = {
  layer: (config: LocalMediaFilesConfig) => Layer.succeed(MediaFiles, makeLocalMediaFiles(config)),
}
