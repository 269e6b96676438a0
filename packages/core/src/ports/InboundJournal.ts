import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type { PendingMedia } from "../domain/PendingMedia.js"
import type { InboundFrame } from "./Transport.js"

export class InboundJournalError extends Schema.TaggedError<InboundJournalError>()("InboundJournalError", {
  message: Schema.String,
}) {}

/**
 * Received callbacks kept durably until they are settled, so that a message one instance ACKed and then died
 * holding is answered by another. An instance holds the frames it recorded or took over for as long as it lives
 * (a lease it renews), queued or in progress. Optional: without one, the transport ACKs on receipt.
 */
export class InboundJournal extends Context.Service<
  InboundJournal,
  {
    /** Keeps `frame` until settled and returns it with its `journalId`; the transport ACKs only after this succeeds. */
    readonly record: (frame: InboundFrame) => Effect.Effect<InboundFrame, InboundJournalError>
    /**
     * Remembers that an AI card is being opened for `frame`'s message, so that whoever is handed the frame again
     * (an orphan, the replay on start) gets it with `cardOpened` and can close that card if it does not answer in it.
     */
    readonly noteCard: (frame: InboundFrame) => Effect.Effect<void, InboundJournalError>
    /**
     * Remembers that the answer's text to `frame`'s message went out and `media` are still to send (each call
     * replaces the last), so that whoever is handed the frame again gets it with `pendingMedia` and sends only those.
     */
    readonly noteMedia: (
      frame: InboundFrame,
      media: ReadonlyArray<PendingMedia>,
    ) => Effect.Effect<void, InboundJournalError>
    /** Forgets `frame`: it was answered, dropped, or found already answered. */
    readonly settle: (frame: InboundFrame) => Effect.Effect<void, InboundJournalError>
    /**
     * Stops holding `frame` without settling it (another delivery of its message is in flight elsewhere): it
     * comes back as an orphan after the lease, to whichever instance then checks on it.
     */
    readonly release: (frame: InboundFrame) => Effect.Effect<void>
    /** Frames recorded by any instance and left unsettled past the lease (their holder died), now this instance's. */
    readonly orphans: Stream.Stream<InboundFrame>
  }
>()("@openpollen/core/InboundJournal") {}
