import { DownloadFailed } from "@openpollen/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

export interface DownloadPace {
  /** The whole body must arrive within this long after it starts. */
  readonly totalTimeoutMs: number
  /** Fewer bytes than this per second, averaged over `rateWindowMs`, aborts the download. */
  readonly minBytesPerSecond: number
  readonly rateWindowMs: number
}

/**
 * Fails when a body drips: past the total deadline, or slower than the minimum rate over a window. A stall timeout
 * alone never fires for one byte every few seconds, which would hold a worker for good.
 * `received` reads how many bytes have arrived so far.
 */
export const downloadWatchdog = (pace: DownloadPace, received: () => number) =>
  Effect.gen(function* () {
    const startedAt = yield* Clock.currentTimeMillis
    let windowStartedAt = startedAt
    let receivedAtWindowStart = received()
    const windowQuota = (pace.minBytesPerSecond * pace.rateWindowMs) / 1000
    while (true) {
      const now = yield* Clock.currentTimeMillis
      const untilDeadline = startedAt + pace.totalTimeoutMs - now
      const untilWindowEnd = windowStartedAt + pace.rateWindowMs - now
      yield* Effect.sleep(Math.max(0, Math.min(untilDeadline, untilWindowEnd)))
      const after = yield* Clock.currentTimeMillis
      if (after - startedAt >= pace.totalTimeoutMs)
        return yield* new DownloadFailed({
          reason: "timeout",
          message: `download not finished within ${pace.totalTimeoutMs} ms`,
        })
      if (after - windowStartedAt >= pace.rateWindowMs) {
        if (received() - receivedAtWindowStart < windowQuota)
          return yield* new DownloadFailed({
            reason: "timeout",
            message: `download slower than ${pace.minBytesPerSecond} bytes/s over ${pace.rateWindowMs} ms`,
          })
        windowStartedAt = after
        receivedAtWindowStart = received()
      }
    }
  })
