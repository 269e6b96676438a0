import { OPENAPI_DEFAULTS } from "@openpollen/openapi/defaults"
import { WEBHOOK_DEFAULTS } from "@openpollen/webhook/defaults"

const DINGTALK_ORIGINS: ReadonlySet<string> = new Set([OPENAPI_DEFAULTS.apiBase, WEBHOOK_DEFAULTS.oapiBase])
const LOOPBACK_HOSTS = new Set(["localhost", "[::1]"])

/** Whether a URL is DingTalk's own API origin, or loopback (the sandbox and tests): where credentials may go. */
export const isDingTalkOrigin = (url: string): boolean => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (DINGTALK_ORIGINS.has(parsed.origin)) return true
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return false
  return LOOPBACK_HOSTS.has(parsed.hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(parsed.hostname)
}
