import { performance } from "node:perf_hooks"
import type { SimApp } from "@openpollen/simulator"
import type { Chat, ReplyTracker } from "../ReplyTracker.js"

export interface ThroughputResult {
  readonly repliesPerSecond: number
  readonly elapsedMs: number
}

/**
 * Closed loop: keeps `window` messages unanswered at most, spread round-robin over the chats, until `messages` are
 * answered. Fails when no reply arrives for `stallMs`.
 */
export const measureThroughput = (
  tracker: ReplyTracker,
  app: SimApp,
  chats: ReadonlyArray<Chat>,
  messages: number,
  window: number,
  stallMs = 15_000,
): Promise<ThroughputResult> =>
  new Promise((resolve, reject) => {
    const startedAt = performance.now()
    let sent = 0
    let answered = 0
    let lastProgressAt = startedAt
    const watchdog = setInterval(() => {
      if (performance.now() - lastProgressAt < stallMs) return
      clearInterval(watchdog)
      reject(new Error(`throughput run stalled: ${answered} of ${messages} answered, none for ${stallMs} ms`))
    }, 250)
    const onAnswered = () => {
      answered += 1
      lastProgressAt = performance.now()
      if (answered < messages) return pump()
      clearInterval(watchdog)
      const elapsedMs = performance.now() - startedAt
      resolve({ repliesPerSecond: messages / (elapsedMs / 1000), elapsedMs })
    }
    const pump = () => {
      while (sent < messages && sent - answered < window) {
        const chat = chats[sent % chats.length] as Chat
        sent += 1
        tracker.send(app, chat).answered.then(onAnswered)
      }
    }
    pump()
  })
