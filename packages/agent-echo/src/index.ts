export * from "./EchoAgent.js"
