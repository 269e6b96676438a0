import { Layer } from "effect"
import { RedisConnection, type RedisConnectionConfig } from "./RedisConnection.js"
import { RedisConversationStore } from "./RedisConversationStore.js"
import { RedisDedupeStore, type RedisDedupeStoreOptions } from "./RedisDedupeStore.js"
import { RedisRefreshLock, type RedisRefreshLockOptions } from "./RedisRefreshLock.js"
import { RedisTokenStore } from "./RedisTokenStore.js"

export interface RedisStoresConfig extends RedisConnectionConfig {
  readonly dedupe?: RedisDedupeStoreOptions
  readonly refreshLock?: RedisRefreshLockOptions
}

export const RedisStores = {
  /** DedupeStore, TokenStore, ConversationStore and RedisRefreshLock over one connection. */
  layer: (config: RedisStoresConfig) =>
    Layer.mergeAll(
      RedisDedupeStore.layer(config.dedupe),
      RedisTokenStore.layer,
      RedisConversationStore.layer,
      RedisRefreshLock.layer(config.refreshLock),
    ).pipe(Layer.provide(RedisConnection.layer(config))),
}
