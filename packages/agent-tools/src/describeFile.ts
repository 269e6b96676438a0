import { basename, extname } from "node:path"

/** A file whose content cannot be shown to the model: its name, type and size. */
export const describeFile = (path: string, type: string | undefined, size: number, why?: string) =>
  `${basename(path)}: ${type ?? (extname(path).slice(1) || "unknown type")}, ${size} bytes${why === undefined ? "" : ` (${why})`}`
