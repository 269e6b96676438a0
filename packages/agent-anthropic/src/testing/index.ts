export * from "./FakeMessagesApi.js"
