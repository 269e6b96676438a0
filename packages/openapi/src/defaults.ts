/** What the bot's config reads without loading the HTTP clients. */
export { DOWNLOAD_DEFAULTS } from "./OpenApiConfig.js"
