import * as Context from "effect/Context"
import * as Layer from "effect/Layer"

/**
 * Bounds what is accepted but unanswered. A transport asks `isOpen` before it records and ACKs a callback, and leaves
 * the callback un-ACKed while the gate is shut, so the platform delivers it again later instead of it piling up in
 * memory. Accepted means: entered by the transport and not yet taken by the ChannelRunner, or taken and not finished
 * (the runner reports that backlog at every change). Without this service in the context, intake is never refused.
 */
export class IntakeGate extends Context.Service<
  IntakeGate,
  {
    /** Synchronous: transports ask from their socket's message handler. */
    readonly isOpen: () => boolean
    /** The transport accepted a callback and is about to hand it to the runner. */
    readonly enter: () => void
    /** The runner took a callback the transport handed over, or the transport gave up on one it entered. */
    readonly leave: () => void
    /** The runner's messages taken and not yet finished. */
    readonly reportBacklog: (pending: number) => void
    /** Accepted and unanswered now: entered and not taken, plus the runner's backlog. */
    readonly backlog: () => number
  }
>()("@openpollen/core/IntakeGate") {
  /** Open while fewer than `maxPending` messages are accepted and unanswered. */
  static readonly layer = (maxPending: number) =>
    Layer.sync(IntakeGate, () => {
      let entered = 0
      let pending = 0
      return IntakeGate.of({
        isOpen: () => entered + pending < maxPending,
        enter: () => {
          entered += 1
        },
        leave: () => {
          entered = Math.max(0, entered - 1)
        },
        reportBacklog: (count) => {
          pending = count
        },
        backlog: () => entered + pending,
      })
    })
}
