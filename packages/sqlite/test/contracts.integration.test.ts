import {
  agentMemoryContract,
  conversationStoreContract,
  deadLettersContract,
  dedupeStoreContract,
  inboundJournalContract,
  tokenStoreContract,
} from "@openpollen/contracts"
import {
  SqliteAgentMemory,
  SqliteConversationStore,
  SqliteDatabase,
  SqliteDeadLetters,
  SqliteDedupeStore,
  SqliteInboundJournal,
  SqliteTokenStore,
} from "@openpollen/sqlite"
import { Layer } from "effect"
import { tempDatabasePath } from "./tempFile.js"

const database = () => SqliteDatabase.layer({ path: tempDatabasePath() })

dedupeStoreContract("SqliteDedupeStore", () => SqliteDedupeStore.layer().pipe(Layer.provide(database())))
tokenStoreContract("SqliteTokenStore", () => SqliteTokenStore.layer.pipe(Layer.provide(database())))
conversationStoreContract("SqliteConversationStore", () =>
  SqliteConversationStore.layer.pipe(Layer.provide(database())),
)
agentMemoryContract("SqliteAgentMemory", () => SqliteAgentMemory.layer().pipe(Layer.provide(database())))

const instancesOnOneFile = () => {
  const path = tempDatabasePath()
  return {
    open: (options: { readonly leaseMs: number; readonly maxDeliveries?: number }) =>
      Layer.mergeAll(
        SqliteInboundJournal.layer({ pollEveryMs: 25, ...options }),
        SqliteDeadLetters.layer,
      ).pipe(Layer.provide(SqliteDatabase.layer({ path }))),
  }
}
inboundJournalContract("SqliteInboundJournal", instancesOnOneFile)
deadLettersContract("SqliteDeadLetters", instancesOnOneFile)
