import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"

/** Why the link is down: the supervisor's failure, the schedule's input. */
export interface LinkDown {
  readonly attemptStartedAt: number
  /** When the connection opened; absent when the attempt failed before that. */
  readonly connectedAt?: number
  readonly reason: string
  readonly badCredentials: boolean
}

export interface BackoffOptions {
  readonly baseMs: number
  readonly capMs: number
  /** A connection that stayed up this long resets the backoff. */
  readonly healthyAfterMs: number
}

/** What the schedule decided for one LinkDown. */
export interface ReconnectStep {
  /** Consecutive attempts that came back sooner than the backoff allowed. */
  readonly level: number
  readonly waitMs: number
}

/**
 * When to attempt the next connection. Attempts are spaced by an exponential window with equal jitter (half fixed,
 * half random; 1 s doubling to the cap), counted from the previous attempt's start, so a connection that lived
 * longer than its window is replaced at once. Each attempt that comes back inside its window widens the next one,
 * and only a connection that stayed up `healthyAfterMs` narrows it back to the base: a connection that dies right
 * after its handshake cannot make the bot call the gateway in a loop. Rejected credentials wait the cap.
 */
export const reconnectSchedule = (options: BackoffOptions): Schedule.Schedule<ReconnectStep, LinkDown> =>
  Schedule.fromStep(
    Effect.sync(() => {
      let level = 0
      return (now: number, down: LinkDown) =>
        Effect.map(Random.next, (random): [ReconnectStep, Duration.Duration] => {
          if (down.connectedAt !== undefined && now - down.connectedAt >= options.healthyAfterMs) level = 0
          const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(level, 30))
          const window = down.badCredentials
            ? options.capMs
            : Math.round(ceiling / 2 + (random * ceiling) / 2)
          const waitMs = Math.max(0, down.attemptStartedAt + window - now)
          if (waitMs > 0) level += 1
          return [{ level, waitMs }, Duration.millis(waitMs)]
        })
    }),
  )
