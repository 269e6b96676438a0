import { createRequire } from "node:module"

type SqliteModule = typeof import("node:sqlite")

const require = createRequire(import.meta.url)
let loaded: SqliteModule | undefined

/**
 * `node:sqlite`, loaded without its one-time "SQLite is an experimental feature" ExperimentalWarning: the warning is
 * emitted synchronously while the module loads, so `process.emitWarning` is filtered for exactly that call and
 * restored right after. Every other warning, of any type, still reaches the process.
 */
export const loadSqlite = (): SqliteModule => {
  if (loaded !== undefined) return loaded
  const emitWarning = process.emitWarning
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: Array<unknown>) {
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: unknown } | undefined)?.type
    const text = typeof warning === "string" ? warning : warning.message
    if (type === "ExperimentalWarning" && text.startsWith("SQLite is an experimental feature")) return
    return Reflect.apply(emitWarning, this, [warning, ...rest])
  } as typeof process.emitWarning
  try {
    loaded = require("node:sqlite") as SqliteModule
  } finally {
    process.emitWarning = emitWarning
  }
  return loaded
}
