import { readFileSync } from "node:fs"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { RunState, runStatePath } from "./RunState.js"

export type RunStateLookup =
  | { readonly _tag: "Running"; readonly state: RunState }
  | { readonly _tag: "Stale"; readonly state: RunState }
  | { readonly _tag: "Absent" }
  | { readonly _tag: "Unreadable"; readonly path: string }

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

const decode = Schema.decodeUnknownResult(RunState)

/** Finds the running bot's run-state file; a file whose pid is dead is reported as stale, not used. */
export const readRunState = (stateDir: string, isAlive: (pid: number) => boolean = alive): RunStateLookup => {
  const path = runStatePath(stateDir)
  let text: string
  try {
    text = readFileSync(path, "utf8")
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT"
      ? { _tag: "Absent" }
      : { _tag: "Unreadable", path }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return { _tag: "Unreadable", path }
  }
  const decoded = decode(parsed)
  if (Result.isFailure(decoded)) return { _tag: "Unreadable", path }
  const state = decoded.success
  return isAlive(state.pid) ? { _tag: "Running", state } : { _tag: "Stale", state }
}
