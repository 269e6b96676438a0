/** The `session` query value is a bearer secret: never let it reach a log or an error. */
export const maskWebhookUrl = (url: string): string => url.replace(/([?&]session=)[^&#]*/gi, "$1***")
