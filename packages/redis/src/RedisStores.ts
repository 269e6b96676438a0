import * as Layer from "effect/Layer"
import { RedisAgentMemory, type RedisAgentMemoryOptions } from "./RedisAgentMemory.js"
import { RedisConnection, type RedisConnectionConfig } from "./RedisConnection.js"
import { RedisConversationLease, type RedisConversationLeaseOptions } from "./RedisConversationLease.js"
import { RedisConversationStore } from "./RedisConversationStore.js"
import { RedisCooldown } from "./RedisCooldown.js"
import { RedisDeadLetters } from "./RedisDeadLetters.js"
import { RedisDedupeStore, type RedisDedupeStoreOptions } from "./RedisDedupeStore.js"
import { RedisInboundJournal, type RedisInboundJournalOptions } from "./RedisInboundJournal.js"
import { RedisRateWindow } from "./RedisRateWindow.js"
import { RedisRefreshLock, type RedisRefreshLockOptions } from "./RedisRefreshLock.js"
import { RedisTokenStore } from "./RedisTokenStore.js"

export interface RedisStoresConfig extends RedisConnectionConfig {
  readonly dedupe?: RedisDedupeStoreOptions
  readonly refreshLock?: RedisRefreshLockOptions
  readonly journal?: RedisInboundJournalOptions
  readonly agentMemory?: RedisAgentMemoryOptions
  readonly conversationLease?: RedisConversationLeaseOptions
}

export const RedisStores = {
  /**
   * DedupeStore, TokenStore, ConversationStore, InboundJournal, DeadLetters, AgentMemory, ConversationLease, Cooldown,
   * RateWindow and RedisRefreshLock over one connection, which the layer provides too (e.g. for `probeWritable`).
   */
  layer: (config: RedisStoresConfig) =>
    Layer.mergeAll(
      RedisDedupeStore.layer(config.dedupe),
      RedisTokenStore.layer,
      RedisConversationStore.layer,
      RedisRefreshLock.layer(config.refreshLock),
      RedisInboundJournal.layer(config.journal),
      RedisDeadLetters.layer,
      RedisAgentMemory.layer(config.agentMemory),
      RedisConversationLease.layer(config.conversationLease),
      RedisCooldown.layer,
      RedisRateWindow.layer,
    ).pipe(Layer.provideMerge(RedisConnection.layer(config))),
}
