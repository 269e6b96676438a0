import { readFileSync } from "node:fs"

export interface Memory {
  /** Resident set size now, MiB. */
  readonly rssMb: number
  /** Peak resident set size so far (VmHWM), MiB. */
  readonly peakMb: number
}

const field = (status: string, name: string): number => {
  const kb = new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(status)?.[1]
  if (kb === undefined) throw new Error(`/proc status has no ${name} line`)
  return Number(kb) / 1024
}

/** Reads a live process's memory from /proc/<pid>/status (Linux only; fails loudly elsewhere). */
export const rssOf = (pid: number): Memory => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  return { rssMb: field(status, "VmRSS"), peakMb: field(status, "VmHWM") }
}
