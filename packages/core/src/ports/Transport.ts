import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { ConnectionState } from "../domain/ConnectionState.js"
import type { PendingMedia } from "../domain/PendingMedia.js"

/**
 * A CALLBACK frame on the robot topic, already ACKed by the transport: on receipt, or, when an InboundJournal is
 * provided, once the journal has recorded it (a frame it cannot record is not ACKed, so DingTalk redelivers it).
 * `data` is the parsed JSON of the frame's data string.
 */
export interface InboundFrame {
  readonly frameMessageId: string
  readonly data: unknown
  readonly receivedAt: number
  /** Set by the InboundJournal that recorded the frame; the runner settles it once the message is handled. */
  readonly journalId?: string
  /** Set on a journalled frame given back by the InboundJournal when an AI card was opened for it (`noteCard`). */
  readonly cardOpened?: boolean
  /**
   * Set on a journalled frame given back by the InboundJournal when its answer's text went out and these media had
   * not yet (`noteMedia`): whoever is handed the frame again sends them, and nothing else.
   */
  readonly pendingMedia?: ReadonlyArray<PendingMedia>
}

export class Transport extends Context.Service<
  Transport,
  {
    readonly frames: Stream.Stream<InboundFrame>
    readonly state: Effect.Effect<ConnectionState>
    readonly stateChanges: Stream.Stream<ConnectionState>
    /** Stop receiving: close every connection, then end `frames` once what was already received is consumed. */
    readonly stop: Effect.Effect<void>
  }
>()("@openpollen/core/Transport") {}
