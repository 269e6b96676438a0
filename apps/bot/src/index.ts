export * from "./channel/ChannelStatus.js"
export * from "./config/loadConfig.js"
export * from "./config/ResolvedConfig.js"
export * from "./config/substituteEnv.js"
