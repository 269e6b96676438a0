import { realpath } from "node:fs/promises"
import { isAbsolute, resolve, sep } from "node:path"

const inside = (path: string, folder: string) =>
  path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep)

/**
 * The real path of `requested` when it lies inside one of `folders`, after following every symlink; otherwise why
 * not. A relative path is taken relative to the first folder; a `..` segment is refused outright.
 */
export const confinePath = async (
  requested: string,
  folders: ReadonlyArray<string>,
): Promise<{ readonly path: string } | { readonly refused: string }> => {
  const [first] = folders
  if (first === undefined) return { refused: "no folder may be read" }
  if (requested.trim() === "") return { refused: "the path is empty" }
  if (requested.split(/[\\/]/).includes("..")) return { refused: `${requested}: ".." is not allowed` }
  const absolute = isAbsolute(requested) ? resolve(requested) : resolve(first, requested)
  const roots = await Promise.all(
    folders.map(async (folder) => [resolve(folder), await realpath(folder).catch(() => resolve(folder))]),
  )
  const outside = `${requested}: outside the folders this tool may read`
  if (!roots.some((names) => names.some((root) => inside(absolute, root)))) return { refused: outside }
  const real = await realpath(absolute).catch(() => undefined)
  if (real === undefined) return { refused: `${requested}: no such file` }
  return roots.some(([, root]) => root !== undefined && inside(real, root))
    ? { path: real }
    : { refused: outside }
}
