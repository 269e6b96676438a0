import { writeSync } from "node:fs"

const FLUSH_AT_CHARS = 64 * 1024

let buffered: Array<string> = []
let bufferedChars = 0
let scheduled = false
let exitHookInstalled = false

const takeBuffered = (): string => {
  const chunk = buffered.join("")
  buffered = []
  bufferedChars = 0
  return chunk
}

const flush = () => {
  scheduled = false
  if (buffered.length > 0) process.stderr.write(takeBuffered())
}

const flushSyncOnExit = () => {
  if (buffered.length === 0) return
  try {
    writeSync(2, takeBuffered())
  } catch {
    // stderr is gone; nothing is left to report it to.
  }
}

/**
 * Writes a log line to stderr within the current event-loop turn, batched with the turn's other lines: stderr on a
 * pipe is a synchronous write(2), and at hundreds of lines per second one syscall per line costs more than
 * formatting them. Lines still buffered when the process exits are written synchronously.
 */
export const writeStderrLine = (line: string): void => {
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once("exit", flushSyncOnExit)
  }
  buffered.push(`${line}\n`)
  bufferedChars += line.length + 1
  if (bufferedChars >= FLUSH_AT_CHARS) flush()
  else if (!scheduled) {
    scheduled = true
    setImmediate(flush).unref()
  }
}
