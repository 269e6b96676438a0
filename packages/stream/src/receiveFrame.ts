import type { InboundFrame, InboundJournal, IntakeGate } from "@openpollen/core"
import type { DWClientDownStream } from "dingtalk-stream"
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import { ROBOT_TOPIC } from "./requestEndpoint.js"
import type { StreamClient } from "./StreamClient.js"
import type { StreamCounters } from "./StreamDiagnostics.js"

/** Where received callbacks go: shared by every connection of one transport. */
export interface Inbox {
  readonly frames: Queue.Queue<InboundFrame, Cause.Done>
  readonly journal: Option.Option<InboundJournal["Service"]>
  /** Shut while the backlog of accepted, unanswered messages is full: callbacks are then left un-ACKed. */
  readonly gate: Option.Option<IntakeGate["Service"]>
  readonly counters: StreamCounters
  /** Runs an effect in the transport's scope: journal writes, log lines. */
  readonly run: (effect: Effect.Effect<void>) => void
}

/** What one connection learns from its frames. */
export interface FrameSignals {
  /** Any frame arrived, pings included: the connection is alive. */
  readonly onFrame: () => void
  /** SYSTEM `disconnect`: DingTalk is about to close this connection. */
  readonly onServerDisconnect: (reason: string) => void
}

const reasonOf = (data: unknown): string => {
  try {
    const reason = (JSON.parse(String(data)) as { reason?: unknown }).reason
    return typeof reason === "string" ? reason : "unknown"
  } catch {
    return "unknown"
  }
}

const parse = (raw: string): DWClientDownStream | string => {
  let frame: unknown
  try {
    frame = JSON.parse(raw)
  } catch {
    return "a frame that is not JSON"
  }
  if (typeof frame !== "object" || frame === null) return "a frame that is not an object"
  const headers = (frame as { headers?: unknown }).headers
  if (
    typeof headers !== "object" ||
    headers === null ||
    typeof (headers as { topic?: unknown }).topic !== "string"
  )
    return "a frame without headers.topic"
  return frame as DWClientDownStream
}

/**
 * The whole path of a frame, socket text to consumer: parse, answer pings, ACK events, and for a robot callback
 * record it in the journal (when there is one), ACK it, and queue it. Never throws: a throw here would escape
 * ws's `message` handler and end the process. Each callback is ACKed at most once, and only once it is safe:
 * received, or recorded. A callback the journal could not record is not ACKed, so DingTalk redelivers it. One that
 * arrives while the IntakeGate is shut waits un-ACKed for room (held by the gate); when the gate cannot hold it, or it
 * waited too long, it is dropped unrecorded and DingTalk delivers it again about a minute later.
 */
export const receiveFrame = (client: StreamClient, inbox: Inbox, signals: FrameSignals) => {
  const { counters, frames, journal, gate, run } = inbox
  let deferredLoggedAt = Number.NEGATIVE_INFINITY
  let deferredSinceLog = 0
  const deferByBacklog = (gate: IntakeGate["Service"]) => {
    counters.deferredByBacklog += 1
    deferredSinceLog += 1
    const now = Date.now()
    if (now - deferredLoggedAt < 1_000) return
    const deferred = deferredSinceLog
    deferredLoggedAt = now
    deferredSinceLog = 0
    run(
      Effect.logWarning("backlog full; callbacks left un-ACKed, so DingTalk redelivers them").pipe(
        Effect.annotateLogs({ backlog: gate.backlog(), deferred }),
      ),
    )
  }
  const bad = (why: string) => {
    counters.badFrames += 1
    run(Effect.logWarning("dropped a malformed frame").pipe(Effect.annotateLogs({ why })))
  }

  /** The callback has a place in the backlog (entered at the gate, when there is one): record, ACK and queue it. */
  const accept = (messageId: string, data: unknown, ack: () => void) => {
    counters.callbacks += 1
    const received: InboundFrame = { frameMessageId: messageId, data, receivedAt: Date.now() }
    if (Option.isNone(journal)) {
      ack()
      Queue.offerUnsafe(frames, received)
      return
    }
    run(
      journal.value.record(received).pipe(
        Effect.matchEffect({
          onFailure: (error) =>
            Effect.logWarning("could not record a callback; not ACKed, so DingTalk redelivers it").pipe(
              Effect.annotateLogs({ error: error.message }),
              Effect.ensuring(Effect.sync(() => Option.map(gate, (open) => open.leave()))),
            ),
          onSuccess: (recorded) =>
            Effect.sync(() => {
              ack()
              Queue.offerUnsafe(frames, recorded)
            }),
        }),
      ),
    )
  }

  const receiveCallback = (frame: DWClientDownStream) => {
    const messageId = frame.headers.messageId
    if (typeof messageId !== "string" || messageId === "") return bad("a CALLBACK without headers.messageId")
    const ack = () => {
      if (client.ackCallback(messageId)) counters.acks += 1
    }
    if (frame.headers.topic !== ROBOT_TOPIC) return ack()
    if (typeof frame.data !== "string") {
      ack()
      return bad("a CALLBACK whose data is not a string")
    }
    let data: unknown
    try {
      data = JSON.parse(frame.data)
    } catch {
      ack()
      return bad("a callback whose data is not JSON")
    }
    if (Option.isNone(gate)) return accept(messageId, data, ack)
    const intake = gate.value
    if (intake.isOpen()) {
      intake.enter()
      return accept(messageId, data, ack)
    }
    const held = intake.waitForRoom(
      () => accept(messageId, data, ack),
      () => deferByBacklog(intake),
    )
    if (held) counters.heldByBacklog += 1
    else deferByBacklog(intake)
  }

  return (raw: string): void => {
    signals.onFrame()
    const frame = parse(raw)
    if (typeof frame === "string") {
      bad(frame)
      return
    }
    try {
      if (frame.type === "CALLBACK") receiveCallback(frame)
      else if (frame.type === "SYSTEM" && frame.headers.topic === "ping") client.echoPing(frame)
      else if (frame.type === "SYSTEM" && frame.headers.topic === "disconnect")
        signals.onServerDisconnect(reasonOf(frame.data))
      else if (
        frame.type === "EVENT" &&
        typeof frame.headers.messageId === "string" &&
        frame.headers.messageId !== ""
      )
        client.ackEvent(frame.headers.messageId)
    } catch {
      bad(`a ${String(frame.type)} frame that could not be handled`)
    }
  }
}
