import * as Layer from "effect/Layer"
import { SqliteAgentMemory, type SqliteAgentMemoryOptions } from "./SqliteAgentMemory.js"
import { SqliteConversationStore } from "./SqliteConversationStore.js"
import { SqliteDatabase, type SqliteDatabaseConfig } from "./SqliteDatabase.js"
import { SqliteDeadLetters } from "./SqliteDeadLetters.js"
import { SqliteDedupeStore, type SqliteDedupeStoreOptions } from "./SqliteDedupeStore.js"
import { SqliteInboundJournal, type SqliteInboundJournalOptions } from "./SqliteInboundJournal.js"
import { SqliteTokenStore } from "./SqliteTokenStore.js"

export interface SqliteStoresConfig extends SqliteDatabaseConfig {
  readonly dedupe?: SqliteDedupeStoreOptions
  readonly journal?: SqliteInboundJournalOptions
  readonly agentMemory?: SqliteAgentMemoryOptions
}

export const SqliteStores = {
  /** DedupeStore, TokenStore, ConversationStore, InboundJournal, DeadLetters and AgentMemory over one file, and the file. */
  layer: (config: SqliteStoresConfig = {}) =>
    Layer.mergeAll(
      SqliteDedupeStore.layer(config.dedupe),
      SqliteTokenStore.layer,
      SqliteConversationStore.layer,
      SqliteInboundJournal.layer(config.journal),
      SqliteDeadLetters.layer,
      SqliteAgentMemory.layer(config.agentMemory),
    ).pipe(Layer.provideMerge(SqliteDatabase.layer(config))),
}
