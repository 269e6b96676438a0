import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { RATE_WINDOW_AFTER_FINISH_MS, RateWindow, type RateWindowTake } from "../ports/RateWindow.js"

/** Slots within one process: per key, each ticket and until when it holds its slot. */
export const makeMemoryRateWindow = Effect.sync(() => {
  const keys = new Map<string, Map<string, number>>()
  let nextTicket = 1
  const held = (key: string, now: number) => {
    const slots = keys.get(key) ?? new Map<string, number>()
    for (const [ticket, until] of slots) if (until <= now) slots.delete(ticket)
    if (slots.size === 0) keys.delete(key)
    return slots
  }
  return RateWindow.of({
    take: (key, { perSecond, holdMs }) =>
      Effect.map(Clock.currentTimeMillis, (now): RateWindowTake => {
        const slots = held(key, now)
        if (slots.size < Math.max(1, Math.floor(perSecond))) {
          const ticket = String(nextTicket++)
          slots.set(ticket, now + holdMs)
          keys.set(key, slots)
          return { _tag: "Taken", ticket }
        }
        return { _tag: "Full", retryAfterMs: Math.max(1, Math.min(...slots.values()) - now) }
      }),
    finish: (key, ticket) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const slots = keys.get(key)
        if (slots?.has(ticket) === true) slots.set(ticket, now + RATE_WINDOW_AFTER_FINISH_MS)
      }),
  })
})

export const MemoryRateWindow = {
  layer: Layer.effect(RateWindow, makeMemoryRateWindow),
}
