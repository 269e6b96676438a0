import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type ClaimResult, DedupeStore } from "../ports/DedupeStore.js"

export interface MemoryDedupeStoreOptions {
  /** How long a key is remembered; at least the ~60 s redelivery delay plus processing time. Default 10 min. */
  readonly ttlMs?: number
  /** Bound on remembered keys; past it the oldest tenth goes. Default 50,000. */
  readonly maxEntries?: number
}

type State = "in-flight" | "done"

const MIN_TTL_MS = 300_000
const SWEEP_INTERVAL_MS = 1_000

/**
 * A bounded in-process DedupeStore: the default for a single bot instance. Each key maps to one small integer, its
 * expiry in whole seconds after the store was made (rounded up), negated while the message is in flight: V8 keeps
 * small integers inside the map, where an entry object or a millisecond timestamp would be one more allocation per key
 * (about 50 bytes each at up to 50,000 keys).
 */
export const makeMemoryDedupeStore = (options: MemoryDedupeStoreOptions = {}) =>
  Effect.map(Clock.currentTimeMillis, (origin) => {
    const ttlMs = Math.max(options.ttlMs ?? 600_000, MIN_TTL_MS)
    const maxEntries = Math.max(options.maxEntries ?? 50_000, 1)
    const entries = new Map<string, number>()

    const encode = (state: State, expiresAtMs: number) => {
      const seconds = Math.max(1, Math.ceil((expiresAtMs - origin) / 1000))
      return state === "done" ? seconds : -seconds
    }
    const expiresAtMs = (entry: number) => origin + Math.abs(entry) * 1000
    const stateOf = (entry: number): State => (entry < 0 ? "in-flight" : "done")

    // The map's iterator walks over the slot of every entry deleted since the table was last rebuilt, and evictions
    // delete from the front: sweeping on every message walked over up to a table's worth of them each time. Expired
    // keys are swept at most once a second, and past the bound a tenth of it goes at once.
    let nextSweepAt = Number.NEGATIVE_INFINITY
    const evictFrom = (now: number) => {
      const over = entries.size > maxEntries
      if (!over && now < nextSweepAt) return
      nextSweepAt = now + SWEEP_INTERVAL_MS
      const keep = over ? maxEntries - Math.floor(maxEntries / 10) : maxEntries
      for (const [oldest, entry] of entries) {
        if (entries.size <= keep && expiresAtMs(entry) > now) break
        entries.delete(oldest)
      }
    }

    return DedupeStore.of({
      claim: (key) =>
        Effect.map(Clock.currentTimeMillis, (now): ClaimResult => {
          const entry = entries.get(key)
          if (entry !== undefined && expiresAtMs(entry) > now) return stateOf(entry)
          // An expired key moves to the back, so the oldest keys stay first in line for eviction.
          if (entry !== undefined) entries.delete(key)
          entries.set(key, encode("in-flight", now + ttlMs))
          evictFrom(now)
          return "claimed"
        }),
      // In place: deleting and re-adding would leave a hole in the map's table for every message until it is rebuilt.
      complete: (key) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          entries.set(key, encode("done", now + ttlMs))
          evictFrom(now)
        }),
      release: (key) => Effect.sync(() => void entries.delete(key)),
    })
  })

export const MemoryDedupeStore = {
  layer: (options: MemoryDedupeStoreOptions = {}) =>
    Layer.effect(DedupeStore, makeMemoryDedupeStore(options)),
}
