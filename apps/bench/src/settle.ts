import { sleep } from "./ReplyTracker.js"

/**
 * Before a fixed-rate run: a pause, then a full GC of this process (the simulator and the trackers), whose garbage
 * from the run before would otherwise be collected during the next measurement, whichever bot that is. Measured
 * without it, the bot measured first right after the throughput run had a p99 of 19–27 ms against 5–6 ms with it.
 */
export const settle = async () => {
  const { gc } = globalThis
  if (gc === undefined) throw new Error("the bench needs node --expose-gc (pnpm bench passes it)")
  await sleep(2_000)
  gc()
}
