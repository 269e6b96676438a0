export * from "./defaults.js"
export * from "./maskWebhookUrl.js"
export * from "./SessionWebhookSender.js"
