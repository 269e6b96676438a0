import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { ReplyRoute } from "../domain/InboundMessage.js"
import { ConversationStore } from "../ports/ConversationStore.js"
import { setMostRecent } from "./setMostRecent.js"

export interface MemoryConversationStoreOptions {
  /** Bound on remembered conversations; the least recently updated go first. Default 10,000. */
  readonly maxEntries?: number
}

/** Reply routes held in process memory: the default for a single bot instance. */
export const makeMemoryConversationStore = (options: MemoryConversationStoreOptions = {}) =>
  Effect.sync(() => {
    const maxEntries = Math.max(options.maxEntries ?? 10_000, 1)
    const routes = new Map<string, ReplyRoute>()

    return ConversationStore.of({
      remember: (key, route) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const current = routes.get(key)
          if (route.expiresAt <= now || (current !== undefined && current.expiresAt >= route.expiresAt))
            return
          // Expired routes stay until the bound pushes them out; latest never answers with one.
          setMostRecent(
            routes,
            key,
            { sessionWebhook: route.sessionWebhook, expiresAt: route.expiresAt },
            maxEntries,
          )
        }),
      latest: (key) =>
        Effect.map(Clock.currentTimeMillis, (now) =>
          Option.filter(Option.fromNullishOr(routes.get(key)), (route) => route.expiresAt > now),
        ),
    })
  })

export const MemoryConversationStore = {
  layer: (options: MemoryConversationStoreOptions = {}) =>
    Layer.effect(ConversationStore, makeMemoryConversationStore(options)),
}
