/** What the bot's config reads without loading the HTTP clients. */
export { CARD_DEFAULTS, DOWNLOAD_DEFAULTS, OPENAPI_DEFAULTS } from "./OpenApiConfig.js"
