export * from "./maskWebhookUrl.js"
export * from "./SessionWebhookSender.js"
