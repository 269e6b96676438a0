export * from "./AnthropicAgent.js"
export * from "./AnthropicConfig.js"
