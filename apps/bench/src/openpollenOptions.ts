import type { LaunchOptions } from "./bots.js"
import type { Profile } from "./profiles.js"

/** Unanswered messages in flight at most during the memory run, whatever the profile. */
export const MEMORY_WINDOW = 1_000

// A 50 MB picture is above the bot's 20 MiB default cap; the cap is raised, not the behaviour changed.
// The load keeps `window` (or, in the memory run, MEMORY_WINDOW) messages unanswered, as many as the default intake
// bound: the bound is set above the larger, so a message answered on the wire but not yet counted done by the bot is
// not refused and timed as a redelivery.
export const openpollenOptions = (profile: Profile): LaunchOptions => ({
  dingtalk: {
    download: { maxBytes: profile.downloadBytes + 1024 * 1024 },
    maxPendingMessages: 2 * Math.max(profile.window, MEMORY_WINDOW),
  },
})
