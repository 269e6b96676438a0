import type { LaunchOptions } from "./bots.js"
import type { Profile } from "./profiles.js"

// A 50 MB picture is above the bot's 20 MiB default cap; the cap is raised, not the behaviour changed.
// The load keeps `window` messages unanswered, as many as the default intake bound: the bound is set above it, so
// a message answered on the wire but not yet counted done by the bot is not refused and timed as a redelivery.
export const openpollenOptions = (profile: Profile): LaunchOptions => ({
  dingtalk: {
    download: { maxBytes: profile.downloadBytes + 1024 * 1024 },
    maxPendingMessages: 2 * profile.window,
  },
})
