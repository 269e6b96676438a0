import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { type DeadLetter, DeadLetters } from "../ports/DeadLetters.js"
import { InboundJournal } from "../ports/InboundJournal.js"
import type { InboundFrame } from "../ports/Transport.js"

interface Row {
  frame: InboundFrame
  deliveries: number
  heldBy: number | undefined
  availableAt: number
}

/** What several MemoryInboundJournal instances share, as they would share a database: rows outlive an instance. */
export interface MemoryJournalBacking {
  readonly rows: Map<string, Row>
  readonly dead: Map<
    string,
    { readonly frame: InboundFrame; readonly deliveries: number; readonly deadAt: number }
  >
  readonly alive: Set<number>
  nextId: number
  nextInstance: number
}

export const makeMemoryJournalBacking = (): MemoryJournalBacking => ({
  rows: new Map(),
  dead: new Map(),
  alive: new Set(),
  nextId: 1,
  nextInstance: 1,
})

export interface MemoryInboundJournalOptions {
  /** A released frame comes back after this long. Default 30 s. */
  readonly leaseMs?: number
  readonly pollEveryMs?: number
  /** Handed out more often than this unanswered, a frame becomes a dead letter. Default 5. */
  readonly maxDeliveries?: number
}

const idsOf = (frame: InboundFrame) => {
  const data = frame.data as { readonly msgId?: unknown; readonly conversationId?: unknown } | null
  return {
    ...(typeof data?.msgId === "string" ? { msgId: data.msgId } : {}),
    ...(typeof data?.conversationId === "string" ? { conversationId: data.conversationId } : {}),
  }
}

/**
 * An InboundJournal and its DeadLetters over a shared in-memory backing: one instance per layer, and what an
 * instance held when its scope closed (it died) is an orphan for the next one at once.
 */
export const makeMemoryInboundJournal = (
  backing: MemoryJournalBacking,
  options: MemoryInboundJournalOptions = {},
) =>
  Effect.gen(function* () {
    const leaseMs = options.leaseMs ?? 30_000
    const maxDeliveries = options.maxDeliveries ?? 5
    const me = backing.nextInstance++
    yield* Effect.acquireRelease(
      Effect.sync(() => backing.alive.add(me)),
      () => Effect.sync(() => backing.alive.delete(me)),
    )

    const claimOnce = Effect.map(Clock.currentTimeMillis, (now) => {
      const taken: Array<InboundFrame> = []
      for (const [id, row] of backing.rows) {
        const free = row.heldBy === undefined || !backing.alive.has(row.heldBy)
        if (!free || row.availableAt > now) continue
        row.deliveries += 1
        if (row.deliveries > maxDeliveries) {
          backing.rows.delete(id)
          backing.dead.set(id, { frame: row.frame, deliveries: row.deliveries, deadAt: now })
          continue
        }
        row.heldBy = me
        taken.push(row.frame)
      }
      return taken
    })

    const journal = InboundJournal.of({
      record: (frame) =>
        Effect.sync(() => {
          const recorded = { ...frame, journalId: String(backing.nextId++) }
          backing.rows.set(recorded.journalId, { frame: recorded, deliveries: 1, heldBy: me, availableAt: 0 })
          return recorded
        }),
      noteCard: (frame) =>
        Effect.sync(() => {
          const row = frame.journalId === undefined ? undefined : backing.rows.get(frame.journalId)
          if (row !== undefined) row.frame = { ...row.frame, cardOpened: true }
        }),
      noteMedia: (frame, media) =>
        Effect.sync(() => {
          const row = frame.journalId === undefined ? undefined : backing.rows.get(frame.journalId)
          if (row !== undefined) row.frame = { ...row.frame, pendingMedia: media }
        }),
      settle: (frame) =>
        Effect.sync(() => {
          if (frame.journalId !== undefined) backing.rows.delete(frame.journalId)
        }),
      release: (frame) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.sync(() => {
            const row = frame.journalId === undefined ? undefined : backing.rows.get(frame.journalId)
            if (row === undefined || row.heldBy !== me) return
            row.heldBy = undefined
            row.availableAt = now + leaseMs
          }),
        ),
      orphans: Stream.fromEffectSchedule(claimOnce, Schedule.spaced(options.pollEveryMs ?? 50)).pipe(
        Stream.flattenIterable,
      ),
    })

    const deadLetters = DeadLetters.of({
      count: Effect.sync(() => backing.dead.size),
      list: (limit) =>
        Effect.sync(() =>
          [...backing.dead].slice(0, Math.max(limit, 0)).map(
            ([id, entry]): DeadLetter => ({
              id,
              ...idsOf(entry.frame),
              receivedAt: entry.frame.receivedAt,
              deadAt: entry.deadAt,
              deliveries: entry.deliveries,
            }),
          ),
        ),
      retry: (id) =>
        Effect.sync(() => {
          const entry = backing.dead.get(id)
          if (entry === undefined) return false
          backing.dead.delete(id)
          const journalId = String(backing.nextId++)
          backing.rows.set(journalId, {
            frame: { ...entry.frame, journalId },
            deliveries: 0,
            heldBy: undefined,
            availableAt: 0,
          })
          return true
        }),
      drop: (id) => Effect.sync(() => backing.dead.delete(id)),
    })
    return Context.make(InboundJournal, journal).pipe(Context.add(DeadLetters, deadLetters))
  })

export const MemoryInboundJournal = {
  layer: (backing: MemoryJournalBacking, options: MemoryInboundJournalOptions = {}) =>
    Layer.effectContext(makeMemoryInboundJournal(backing, options)),
}
