export * from "./redisServer.js"
