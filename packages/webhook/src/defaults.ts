/** The sender's defaults, importable without loading the HTTP client (the bot's config reads them). */
export const WEBHOOK_DEFAULTS = {
  /** Session webhooks DingTalk hands out live on this origin. */
  oapiBase: "https://oapi.dingtalk.com",
  timeoutMs: 10_000,
} as const
