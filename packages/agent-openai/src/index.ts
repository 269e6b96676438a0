export * from "./OpenAiAgent.js"
export * from "./OpenAiConfig.js"
