import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Cooldown } from "../ports/Cooldown.js"

export interface MemoryCooldownOptions {
  /** Keys remembered at most; past it the oldest go first. Default 10_000. */
  readonly maxKeys?: number
}

/** Cooldowns within one process, bounded: expired keys go when the bound is reached, then the oldest. */
export const makeMemoryCooldown = (options: MemoryCooldownOptions = {}) =>
  Effect.sync(() => {
    const maxKeys = options.maxKeys ?? 10_000
    const until = new Map<string, number>()
    const evict = (now: number) => {
      for (const [key, end] of until) if (end <= now) until.delete(key)
      for (const key of until.keys()) {
        if (until.size < maxKeys) break
        until.delete(key)
      }
    }
    return Cooldown.of({
      take: (key, windowMs) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const end = until.get(key)
          if (end !== undefined && end > now) return false
          until.delete(key)
          if (until.size >= maxKeys) evict(now)
          until.set(key, now + windowMs)
          return true
        }),
    })
  })

export const MemoryCooldown = {
  layer: (options: MemoryCooldownOptions = {}) => Layer.effect(Cooldown, makeMemoryCooldown(options)),
}
