import { readdirSync, readFileSync } from "node:fs"
import { loadavg } from "node:os"
import { performance } from "node:perf_hooks"

// Linux reports CPU times in /proc in clock ticks of 1/100 s (USER_HZ).
const TICK_MS = 10

/** What the machine and the bench's own processes had used at one moment. */
export interface CpuSnapshot {
  readonly atMs: number
  /** Busy CPU time of the whole machine (all cores), in ms. */
  readonly machineBusyMs: number
  /** CPU time of the bench's process tree (itself, the simulator in it, every bot), in ms. */
  readonly ownMs: number
}

/**
 * The share of the machine's capacity (`cores` × elapsed time) that processes outside the bench used between two
 * snapshots, 0 to 1: the machine's busy time minus the bench's own.
 */
export const foreignCpuShare = (before: CpuSnapshot, after: CpuSnapshot, cores: number): number => {
  const capacityMs = (after.atMs - before.atMs) * cores
  if (capacityMs <= 0) return 0
  const foreignMs = after.machineBusyMs - before.machineBusyMs - (after.ownMs - before.ownMs)
  return Math.min(1, Math.max(0, foreignMs / capacityMs))
}

// user, nice, system and steal. Idle and iowait are not work; irq and softirq are left out because the bench's own
// loopback traffic is accounted there rather than to its processes, and guest time is already inside user.
const BUSY_COLUMNS = [0, 1, 2, 7]

const machineBusyMs = (): number => {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? ""
  const ticks = line.trim().split(/\s+/).slice(1).map(Number)
  return BUSY_COLUMNS.reduce((sum, column) => sum + (ticks[column] ?? 0), 0) * TICK_MS
}

interface ProcessTimes {
  readonly pid: number
  readonly ppid: number
  /** utime + stime + cutime + cstime: its own CPU time and that of the children it has reaped. */
  readonly cpuMs: number
}

const processTimes = (pid: number): ProcessTimes | undefined => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? []
    const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0)
    return { pid, ppid: Number(fields[1]), cpuMs: ticks * TICK_MS }
  } catch {
    return undefined // gone between the listing and the read
  }
}

/** CPU time of `root` and all its descendants. */
const treeCpuMs = (root: number): number => {
  const all = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => processTimes(Number(name)))
    .filter((times) => times !== undefined)
  const children = new Map<number, Array<ProcessTimes>>()
  for (const times of all) children.set(times.ppid, [...(children.get(times.ppid) ?? []), times])
  let total = 0
  const pending = [...all.filter((times) => times.pid === root)]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    total += next.cpuMs
    pending.push(...(children.get(next.pid) ?? []))
  }
  return total
}

export const cpuSnapshot = (): CpuSnapshot => ({
  atMs: performance.now(),
  machineBusyMs: machineBusyMs(),
  ownMs: treeCpuMs(process.pid),
})

/** The CPUs /proc/stat counts, which its busy time is summed over (in a container, maybe more than it may use). */
export const cores = (): number =>
  readFileSync("/proc/stat", "utf8")
    .split("\n")
    .filter((line) => /^cpu\d+ /.test(line)).length

/** The 1-minute load average. */
export const loadAverage = (): number => loadavg()[0] ?? 0
