import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import { FifoQueue } from "./FifoQueue.js"

export interface IntakeGateOptions {
  /** Callbacks held un-ACKed while the backlog is full, admitted in arrival order as room frees. Default a tenth of `maxPending`, at least 16. */
  readonly maxWaiting?: number
  /** A held callback is given up after this long (then the platform redelivers it). Default 5 s. */
  readonly maxWaitMs?: number
  /** Milliseconds since the epoch; the tests pass their own. */
  readonly now?: () => number
}

/**
 * Bounds what is accepted but unanswered. A transport asks `isOpen` before it records and ACKs a callback. While the
 * gate is shut it asks `waitForRoom`: a few callbacks are held un-ACKed and admitted as soon as the backlog has room
 * (a backlog at its bound frees a place with every answer, so they wait milliseconds, not a redelivery); past those, or
 * after `maxWaitMs`, the callback is given up un-ACKed and the platform delivers it again later instead of it piling up
 * in memory. Accepted means: entered by the transport and not yet taken by the ChannelRunner, or taken and not finished
 * (the runner reports that backlog at every change). Without this service in the context, intake is never refused.
 */
export class IntakeGate extends Context.Service<
  IntakeGate,
  {
    /** Synchronous: transports ask from their socket's message handler. Shut while callbacks wait, to keep their order. */
    readonly isOpen: () => boolean
    /** The transport accepted a callback and is about to hand it to the runner. */
    readonly enter: () => void
    /**
     * For a callback that found the gate shut: holds it until the backlog has room, then enters it and calls `admit`
     * (synchronously, from whoever freed the room), or calls `giveUp` after `maxWaitMs`. False, and neither is called,
     * when the waiting list is full.
     */
    readonly waitForRoom: (admit: () => void, giveUp: () => void) => boolean
    /**
     * The runner took a callback the transport handed over (after reporting the backlog that includes it), or the
     * transport gave up on one it entered.
     */
    readonly leave: () => void
    /** The runner's messages taken and not yet finished. */
    readonly reportBacklog: (pending: number) => void
    /** Accepted and unanswered now: entered and not taken, plus the runner's backlog. */
    readonly backlog: () => number
  }
>()("@openpollen/core/IntakeGate") {
  /** Open while fewer than `maxPending` messages are accepted and unanswered and no callback waits. */
  static readonly layer = (maxPending: number, options: IntakeGateOptions = {}) =>
    Layer.sync(IntakeGate, () => makeIntakeGate(maxPending, options))
}

interface Waiter {
  readonly since: number
  readonly admit: () => void
  readonly giveUp: () => void
}

const runSafely = (callback: () => void) => {
  try {
    callback()
  } catch {
    // A transport's callback must not break the runner that freed the room; the transport counts its own failures.
  }
}

export const makeIntakeGate = (
  maxPending: number,
  options: IntakeGateOptions = {},
): IntakeGate["Service"] => {
  const maxWaiting = Math.max(0, Math.floor(options.maxWaiting ?? Math.max(16, maxPending / 10)))
  const maxWaitMs = Math.max(0, options.maxWaitMs ?? 5_000)
  const now = options.now ?? Date.now
  let entered = 0
  let pending = 0
  const waiters = new FifoQueue<Waiter>()
  const hasRoom = () => entered + pending < maxPending

  const dropExpired = () => {
    const oldest = now() - maxWaitMs
    for (let first = waiters.peek(); first !== undefined && first.since < oldest; first = waiters.peek()) {
      waiters.shift()
      runSafely(first.giveUp)
    }
  }
  const admitWaiting = () => {
    if (waiters.size === 0) return
    dropExpired()
    while (waiters.size > 0 && hasRoom()) {
      const next = waiters.shift() as Waiter
      entered += 1
      runSafely(next.admit)
    }
  }

  return IntakeGate.of({
    isOpen: () => hasRoom() && waiters.size === 0,
    enter: () => {
      entered += 1
    },
    waitForRoom: (admit, giveUp) => {
      dropExpired()
      if (waiters.size >= maxWaiting) return false
      waiters.push({ since: now(), admit, giveUp })
      return true
    },
    leave: () => {
      entered = Math.max(0, entered - 1)
      admitWaiting()
    },
    reportBacklog: (count) => {
      const freed = count < pending
      pending = count
      if (freed) admitWaiting()
    },
    backlog: () => entered + pending,
  })
}
