export * from "./MemoryAgentMemory.js"
export * from "./MemoryConversationStore.js"
export * from "./MemoryDedupeStore.js"
export * from "./MemoryTokenStore.js"
