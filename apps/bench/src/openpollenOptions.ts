import type { LaunchOptions } from "./bots.js"
import type { Profile } from "./profiles.js"

// A 50 MB picture is above the bot's 20 MiB default cap; the cap is raised, not the behaviour changed.
export const openpollenOptions = (profile: Profile): LaunchOptions => ({
  dingtalk: { download: { maxBytes: profile.downloadBytes + 1024 * 1024 } },
})
