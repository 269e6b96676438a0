import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"

const dirs: Array<string> = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

/** A path for a database file in a fresh temp folder, removed after the test file. */
export const tempDatabasePath = (name = "openpollen.sqlite"): string => {
  const dir = mkdtempSync(join(tmpdir(), "openpollen-sqlite-"))
  dirs.push(dir)
  return join(dir, "state", name)
}
