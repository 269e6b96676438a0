export * from "./ScriptedSseServer.js"
