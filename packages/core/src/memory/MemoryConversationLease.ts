import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Semaphore from "effect/Semaphore"
import { ConversationLease } from "../ports/ConversationLease.js"

/** Leases within one process: one permit per key, dropped once nobody holds or waits for it. */
export const makeMemoryConversationLease = Effect.sync(() => {
  const keys = new Map<string, { readonly semaphore: Semaphore.Semaphore; users: number }>()
  return ConversationLease.of({
    withLease: (key, effect) =>
      Effect.suspend(() => {
        const entry = keys.get(key) ?? { semaphore: Semaphore.makeUnsafe(1), users: 0 }
        keys.set(key, entry)
        entry.users += 1
        return entry.semaphore
          .withPermits(1)(effect)
          .pipe(
            Effect.ensuring(
              Effect.sync(() => {
                entry.users -= 1
                if (entry.users === 0) keys.delete(key)
              }),
            ),
          )
      }),
  })
})

export const MemoryConversationLease = {
  layer: Layer.effect(ConversationLease, makeMemoryConversationLease),
}
