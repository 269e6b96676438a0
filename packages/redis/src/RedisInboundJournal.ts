import { randomUUID } from "node:crypto"
import { hostname } from "node:os"
import { type InboundFrame, InboundJournal, InboundJournalError } from "@openpollen/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { claimIdle, createGroup, GROUP, withGroup } from "./journalGroup.js"
import { makeJournalMarks } from "./journalMarks.js"
import { deadLetterScript, recordScript, removeIdleConsumersScript, settleScript } from "./journalScripts.js"
import { evalScript } from "./luaScript.js"
import { RedisConnection } from "./RedisConnection.js"
import type { RedisUnavailable } from "./RedisUnavailable.js"

export interface RedisInboundJournalOptions {
  /** A frame left unsettled this long is taken over by another instance (its holder is presumed dead). Default 30 s. */
  readonly leaseMs?: number
  /** Orphans taken per poll at most. Default 200. */
  readonly batchSize?: number
  /** How often to look for orphans. Default a quarter of the lease. */
  readonly pollEveryMs?: number
  /**
   * A frame handed out this many times without being settled (its holders died, or handling kept failing) goes to
   * the dead-letter stream `<prefix>inbound:dead` instead of out again. Default 5.
   */
  readonly maxDeliveries?: number
  /** Consumers of the group with nothing pending and idle this long are removed. Default 10 × the lease. */
  readonly consumerIdleMs?: number
}

const StoredFrame = Schema.Struct({
  frameMessageId: Schema.String,
  data: Schema.Unknown,
  receivedAt: Schema.Number,
})
const decodeStored = Schema.decodeUnknownOption(Schema.fromJsonString(StoredFrame))
/** The ids a dead-lettered frame is logged with: never its text, sender or session webhook. */
const CallbackIds = Schema.Struct({ msgId: Schema.String, conversationId: Schema.String })
const decodeIds = Schema.decodeUnknownOption(CallbackIds)
const DeadLettered = Schema.Array(Schema.Tuple([Schema.String, Schema.Number]))
const decodeDeadLettered = Schema.decodeUnknownOption(DeadLettered)

/**
 * An InboundJournal on a Redis Stream (`<prefix>inbound`) with one consumer group shared by every instance, each
 * instance its own consumer. `record` appends and takes the entry in one script; `settle` XACKs and XDELs it;
 * `orphans` polls XAUTOCLAIM for entries idle past the lease, whichever instance recorded them. While it lives, an
 * instance re-XCLAIMs what it holds (JUSTID, min idle 0, which counts no delivery) every third of the lease, so only a
 * dead one's work lapses. A claimed entry delivered more than `maxDeliveries` times goes to `<prefix>inbound:dead`;
 * each poll also removes consumers (dead instances) with nothing pending and idle past `consumerIdleMs`.
 */
export const makeRedisInboundJournal = (options: RedisInboundJournalOptions = {}) =>
  Effect.gen(function* () {
    const redis = yield* RedisConnection
    const leaseMs = Math.max(Math.round(options.leaseMs ?? 30_000), 100)
    const batchSize = Math.max(options.batchSize ?? 200, 1)
    const pollEveryMs = Math.max(options.pollEveryMs ?? Math.max(Math.floor(leaseMs / 4), 50), 10)
    const maxDeliveries = Math.max(Math.floor(options.maxDeliveries ?? 5), 1)
    const consumerIdleMs = Math.max(options.consumerIdleMs ?? leaseMs * 10, 100)
    const key = `${redis.keyPrefix}inbound`
    const deadKey = `${key}:dead`
    const marks = makeJournalMarks(redis, key)
    const consumer = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
    const failed = (error: RedisUnavailable) => new InboundJournalError({ message: error.message })

    yield* redis.run("journal group", (client) => createGroup(client, key, "$"))

    // Frames this instance holds (queued or in progress): their idle time is reset every third of the lease.
    const held = new Set<string>()
    // Entries with a card mark (`<prefix>inbound:card:<id>`) or a media mark (`<prefix>inbound:media:<id>`, the
    // answer's media still to send), whose marks go when they are settled.
    const marked = new Set<string>()
    const settleId = (id: string) =>
      Effect.suspend(() => {
        held.delete(id)
        const hasMarks = marked.delete(id)
        return redis.run("journal settle", async (client) => {
          const settled = await evalScript(client, settleScript, [key], [GROUP, id])
          if (hasMarks) await client.del(marks.keysOf(id))
          return settled
        })
      })
    const renew = Effect.gen(function* () {
      const ids = [...held]
      for (let start = 0; start < ids.length; start += 500) {
        const chunk = ids.slice(start, start + 500)
        yield* redis.run("journal lease renewal", (client) =>
          withGroup(client, key, ["XCLAIM", key, GROUP, consumer, "0", ...chunk, "JUSTID"]),
        )
      }
    }).pipe(
      Effect.catch((error) =>
        Effect.logWarning("could not renew the lease on held messages").pipe(
          Effect.annotateLogs({ error: error.message }),
        ),
      ),
    )
    yield* renew.pipe(Effect.delay(Math.max(Math.floor(leaseMs / 3), 30)), Effect.forever, Effect.forkScoped)

    let lastCleanupAt = Number.NEGATIVE_INFINITY
    const removeIdleConsumers = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      if (now - lastCleanupAt < consumerIdleMs / 10) return
      lastCleanupAt = now
      const removed = yield* redis.run("journal consumer cleanup", (client) =>
        evalScript(client, removeIdleConsumersScript, [key], [GROUP, consumer, String(consumerIdleMs)]),
      )
      if (Number(removed) > 0)
        yield* Effect.logInfo("removed idle consumers of the journal, with nothing pending").pipe(
          Effect.annotateLogs({ count: Number(removed) }),
        )
    }).pipe(
      Effect.catch((error) =>
        Effect.logWarning("could not remove idle journal consumers").pipe(
          Effect.annotateLogs({ error: error.message }),
        ),
      ),
    )

    const deadLetter = (entries: ReadonlyArray<readonly [string, string | undefined]>) =>
      entries.length === 0
        ? Effect.succeed(new Map<string, number>())
        : redis
            .run("journal dead-letter", (client) =>
              evalScript(
                client,
                deadLetterScript,
                [key, deadKey],
                [GROUP, String(maxDeliveries), ...entries.map(([id]) => id)],
              ),
            )
            .pipe(
              Effect.map((reply) => new Map(Option.getOrElse(decodeDeadLettered(reply), () => []))),
              Effect.tap((moved) =>
                Effect.forEach(
                  entries.filter(([id]) => moved.has(id)),
                  ([id, payload]) => {
                    const ids = Option.flatMap(
                      payload === undefined ? Option.none() : decodeStored(payload),
                      (stored) => decodeIds(stored.data),
                    )
                    return Effect.logWarning(
                      "a message was handed out too often without being answered; moved to the dead-letter stream",
                    ).pipe(
                      Effect.annotateLogs({
                        journalId: id,
                        msgId: Option.match(ids, { onNone: () => "unknown", onSome: (found) => found.msgId }),
                        conversationId: Option.match(ids, {
                          onNone: () => "unknown",
                          onSome: (found) => found.conversationId,
                        }),
                        deliveries: moved.get(id) ?? 0,
                      }),
                    )
                  },
                  { discard: true },
                ),
              ),
            )

    const claimOnce = removeIdleConsumers.pipe(
      Effect.andThen(
        redis.run("journal claim", (client) => claimIdle(client, key, consumer, leaseMs, batchSize)),
      ),
      Effect.flatMap((entries) =>
        Effect.map(deadLetter(entries), (moved) => entries.filter(([id]) => !moved.has(id))),
      ),
      Effect.flatMap((entries) =>
        Effect.map(marks.read(entries.map(([id]) => id)), (noted) => ({ entries, noted })),
      ),
      Effect.flatMap(({ entries, noted }) =>
        Effect.forEach(entries, ([id, payload]) => {
          const stored = payload === undefined ? Option.none() : decodeStored(payload)
          if (Option.isSome(stored)) {
            held.add(id)
            const { card, media } = noted.get(id) ?? { card: false, media: undefined }
            if (card || media !== undefined) marked.add(id)
            return Effect.succeed(
              Option.some<InboundFrame>({
                ...stored.value,
                journalId: id,
                ...(card ? { cardOpened: true } : {}),
                ...(media === undefined ? {} : { pendingMedia: media }),
              }),
            )
          }
          return settleId(id).pipe(
            Effect.ignore,
            Effect.andThen(Effect.logWarning("dropped a journal entry that does not decode")),
            Effect.as(Option.none<InboundFrame>()),
          )
        }),
      ),
      Effect.map((frames) => frames.flatMap((frame) => (Option.isSome(frame) ? [frame.value] : []))),
      Effect.tap((frames) =>
        frames.length === 0
          ? Effect.void
          : Effect.logInfo("took over messages left unanswered past their lease").pipe(
              Effect.annotateLogs({ count: frames.length }),
            ),
      ),
      Effect.catch((error) =>
        Effect.logWarning("could not claim orphaned messages").pipe(
          Effect.annotateLogs({ error: error.message }),
          Effect.as([] as Array<InboundFrame>),
        ),
      ),
    )

    return InboundJournal.of({
      record: (frame) =>
        redis
          .run("journal record", (client) =>
            evalScript(
              client,
              recordScript,
              [key],
              [
                GROUP,
                consumer,
                JSON.stringify({
                  frameMessageId: frame.frameMessageId,
                  data: frame.data,
                  receivedAt: frame.receivedAt,
                }),
              ],
            ),
          )
          .pipe(
            Effect.map((id) => {
              held.add(String(id))
              return { ...frame, journalId: String(id) }
            }),
            Effect.mapError(failed),
          ),
      noteCard: (frame) => {
        const id = frame.journalId
        if (id === undefined) return Effect.void
        marked.add(id)
        return marks.noteCard(id).pipe(Effect.asVoid, Effect.mapError(failed))
      },
      noteMedia: (frame, media) => {
        const id = frame.journalId
        if (id === undefined) return Effect.void
        marked.add(id)
        return marks.noteMedia(id, media).pipe(Effect.asVoid, Effect.mapError(failed))
      },
      settle: (frame) =>
        frame.journalId === undefined
          ? Effect.void
          : settleId(frame.journalId).pipe(Effect.asVoid, Effect.mapError(failed)),
      release: (frame) =>
        Effect.sync(() => {
          if (frame.journalId !== undefined) held.delete(frame.journalId)
        }),
      orphans: Stream.fromEffectSchedule(claimOnce, Schedule.spaced(pollEveryMs)).pipe(
        Stream.flattenIterable,
      ),
    })
  })

export const RedisInboundJournal = {
  /** Needs a RedisConnection. */
  layer: (options: RedisInboundJournalOptions = {}) =>
    Layer.effect(InboundJournal, makeRedisInboundJournal(options)),
}
