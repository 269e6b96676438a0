import { decodePendingMedia, encodePendingMedia, type PendingMedia } from "@openpollen/core"
import * as Effect from "effect/Effect"
import type { RedisConnection } from "./RedisConnection.js"

/** A mark outlives any entry's handouts (maxDeliveries × the lease) by far. */
const MARK_TTL_MS = 86_400_000

/** What was noted for a journal entry besides its frame. */
export interface Marks {
  /** An AI card was opened for the message (`noteCard`). */
  readonly card: boolean
  /** The answer's media still to send (`noteMedia`); undefined without a mark, or with one that does not decode. */
  readonly media: ReadonlyArray<PendingMedia> | undefined
}

/**
 * The marks of the journal's entries, each its own key beside the stream (`<journal>:card:<id>`,
 * `<journal>:media:<id>`), read when entries are handed out and deleted when they are settled.
 */
export const makeJournalMarks = (redis: RedisConnection["Service"], journalKey: string) => {
  const cardKey = (id: string) => `${journalKey}:card:${id}`
  const mediaKey = (id: string) => `${journalKey}:media:${id}`
  const expiration = { expiration: { type: "PX", value: MARK_TTL_MS } } as const
  return {
    noteCard: (id: string) =>
      redis.run("journal note card", (client) => client.set(cardKey(id), "1", expiration)),
    noteMedia: (id: string, media: ReadonlyArray<PendingMedia>) =>
      redis.run("journal note media", (client) =>
        client.set(mediaKey(id), encodePendingMedia(media), expiration),
      ),
    /** Every entry's marks, by id; one round trip. */
    read: (ids: ReadonlyArray<string>) =>
      ids.length === 0
        ? Effect.succeed(new Map<string, Marks>())
        : Effect.map(
            redis.run("journal marks", (client) =>
              client.mGet(ids.flatMap((id) => [cardKey(id), mediaKey(id)])),
            ),
            (values) =>
              new Map(
                ids.map((id, at): [string, Marks] => {
                  const media = values[2 * at + 1]
                  return [
                    id,
                    {
                      card: values[2 * at] !== null,
                      media: media === null || media === undefined ? undefined : decodePendingMedia(media),
                    },
                  ]
                }),
              ),
          ),
    /** Keys to delete with a settled entry. */
    keysOf: (id: string) => [cardKey(id), mediaKey(id)],
  }
}
