import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import type { RunState } from "./RunState.js"
import { runStatePath } from "./RunState.js"

/** Writes the run-state file atomically with mode 0600 (its folder 0700), replacing any earlier one. */
export const writeRunState = (stateDir: string, state: RunState): string => {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 })
  const path = runStatePath(stateDir)
  const temporary = `${path}.${state.pid}.tmp`
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
  chmodSync(temporary, 0o600)
  renameSync(temporary, path)
  return path
}

/** Removes the run-state file if it is still this process's (another start may have replaced it). */
export const removeRunState = (stateDir: string, pid: number): void => {
  const path = runStatePath(stateDir)
  try {
    const written = JSON.parse(readFileSync(path, "utf8")) as { pid?: unknown }
    if (written.pid === pid) rmSync(path, { force: true })
  } catch {
    // Already gone or unreadable: nothing of ours to remove.
  }
}
