import { Clock, Effect, Layer } from "effect"
import { type ClaimResult, DedupeStore } from "../ports/DedupeStore.js"

export interface MemoryDedupeStoreOptions {
  /** How long a key is remembered; at least the ~60 s redelivery delay plus processing time. Default 10 min. */
  readonly ttlMs?: number
  /** Bound on remembered keys; the oldest go first. Default 50,000. */
  readonly maxEntries?: number
}

type State = "in-flight" | "done"

const MIN_TTL_MS = 300_000

/**
 * Each key maps to one number, its expiry, negated while the message is in flight: at 50,000 keys an entry object per
 * key would cost megabytes more.
 */
const encode = (state: State, expiresAt: number) => (state === "done" ? expiresAt : -expiresAt)
const expiryOf = (entry: number) => Math.abs(entry)
const stateOf = (entry: number): State => (entry < 0 ? "in-flight" : "done")

/** A bounded in-process DedupeStore: the default for a single bot instance. */
export const makeMemoryDedupeStore = (options: MemoryDedupeStoreOptions = {}) =>
  Effect.sync(() => {
    const ttlMs = Math.max(options.ttlMs ?? 600_000, MIN_TTL_MS)
    const maxEntries = Math.max(options.maxEntries ?? 50_000, 1)
    const entries = new Map<string, number>()

    const remember = (key: string, state: State, now: number) => {
      entries.delete(key)
      entries.set(key, encode(state, now + ttlMs))
      for (const [oldest, entry] of entries) {
        if (entries.size <= maxEntries && expiryOf(entry) > now) break
        entries.delete(oldest)
      }
    }

    return DedupeStore.of({
      claim: (key) =>
        Effect.map(Clock.currentTimeMillis, (now): ClaimResult => {
          const entry = entries.get(key)
          if (entry !== undefined && expiryOf(entry) > now) return stateOf(entry)
          remember(key, "in-flight", now)
          return "claimed"
        }),
      complete: (key) => Effect.map(Clock.currentTimeMillis, (now) => remember(key, "done", now)),
      release: (key) => Effect.sync(() => void entries.delete(key)),
    })
  })

export const MemoryDedupeStore = {
  layer: (options: MemoryDedupeStoreOptions = {}) =>
    Layer.effect(DedupeStore, makeMemoryDedupeStore(options)),
}
