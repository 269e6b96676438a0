export * from "./FakeChatCompletions.js"
