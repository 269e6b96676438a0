export * from "./MemoryDedupeStore.js"
export * from "./MemoryTokenStore.js"
