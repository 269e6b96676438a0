import { performance } from "node:perf_hooks"
import type { SimApp } from "@openpollen/simulator"
import { type Chat, type ReplyTracker, sleep, within } from "../ReplyTracker.js"
import { percentile } from "../stats.js"

export interface LatencyResult {
  readonly p50Ms: number
  readonly p99Ms: number
}

/** Open loop: pushes `messages` at a fixed `ratePerSecond` whatever the answers do, then reads the percentiles. */
export const measureLatency = async (
  tracker: ReplyTracker,
  app: SimApp,
  chats: ReadonlyArray<Chat>,
  ratePerSecond: number,
  messages: number,
): Promise<LatencyResult> => {
  const intervalMs = 1000 / ratePerSecond
  const startedAt = performance.now()
  const answers: Array<Promise<number>> = []
  for (let index = 0; index < messages; index++) {
    const wait = startedAt + index * intervalMs - performance.now()
    if (wait >= 1) await sleep(wait)
    answers.push(tracker.send(app, chats[index % chats.length] as Chat).answered)
  }
  const latencies = await within(Promise.all(answers), 30_000, "fixed-rate run")
  return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) }
}
