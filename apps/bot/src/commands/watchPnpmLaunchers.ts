import { readFileSync } from "node:fs"

const parentOf = (pid: number): number | undefined => {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces and parentheses, so split after the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
    return Number.isInteger(ppid) && ppid > 1 ? ppid : undefined
  } catch {
    return undefined
  }
}

const commandLineOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")
  } catch {
    return ""
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * The ancestors from this process up to the outermost pnpm that launched it. pnpm kills only its direct child on
 * SIGTERM and the shell wrappers in between forward nothing, so the bot would otherwise run on as an orphan.
 * Linux only (/proc); elsewhere the list is empty.
 */
export const pnpmLaunchers = (): ReadonlyArray<number> => {
  const chain: Array<number> = []
  for (let pid = parentOf(process.pid); pid !== undefined && chain.length < 16; pid = parentOf(pid))
    chain.push(pid)
  const outermost = chain.findLastIndex((pid) => /(^|[/ ])pnpm(\.c?js)?( |$)/.test(commandLineOf(pid)))
  return outermost === -1 ? [] : chain.slice(0, outermost + 1)
}

/** Calls `onGone` once when any of the launching processes exits; returns a function that stops watching. */
export const watchPnpmLaunchers = (onGone: () => void, intervalMs = 500): (() => void) => {
  const launchers = pnpmLaunchers()
  if (launchers.length === 0) return () => {}
  const timer = setInterval(() => {
    if (launchers.every(isAlive)) return
    clearInterval(timer)
    onGone()
  }, intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
