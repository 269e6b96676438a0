import {
  agentMemoryContract,
  conversationLeaseContract,
  conversationStoreContract,
  cooldownContract,
  dedupeStoreContract,
  rateWindowContract,
  tokenStoreContract,
} from "@openpollen/contracts"
import {
  RedisAgentMemory,
  RedisConversationLease,
  RedisConversationStore,
  RedisCooldown,
  RedisDedupeStore,
  RedisRateWindow,
  RedisTokenStore,
} from "@openpollen/redis"
import { Layer } from "effect"
import { connectionLayer, freshPrefix } from "./redisHarness.js"

dedupeStoreContract("RedisDedupeStore", () =>
  RedisDedupeStore.layer().pipe(Layer.provide(connectionLayer(freshPrefix()))),
)
tokenStoreContract("RedisTokenStore", () =>
  RedisTokenStore.layer.pipe(Layer.provide(connectionLayer(freshPrefix()))),
)
conversationStoreContract("RedisConversationStore", () =>
  RedisConversationStore.layer.pipe(Layer.provide(connectionLayer(freshPrefix()))),
)
agentMemoryContract("RedisAgentMemory", () =>
  RedisAgentMemory.layer().pipe(Layer.provide(connectionLayer(freshPrefix()))),
)
conversationLeaseContract("RedisConversationLease", () =>
  RedisConversationLease.layer().pipe(Layer.provide(connectionLayer(freshPrefix()))),
)
cooldownContract("RedisCooldown", () =>
  RedisCooldown.layer.pipe(Layer.provide(connectionLayer(freshPrefix()))),
)
rateWindowContract("RedisRateWindow", () =>
  RedisRateWindow.layer.pipe(Layer.provide(connectionLayer(freshPrefix()))),
)
