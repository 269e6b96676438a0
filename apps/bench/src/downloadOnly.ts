import type { SimApp, Simulator } from "@openpollen/simulator"
import { launchBot } from "./bots.js"
import { openpollenOptions } from "./openpollenOptions.js"

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`)

import type { Profile } from "./profiles.js"
import { first, makeChats } from "./ReplyTracker.js"
import { measureDownload } from "./scenarios/download.js"
import { median, round } from "./stats.js"

export const downloadOnce = async (sim: Simulator, app: SimApp, profile: Profile) => {
  progress(`download, ${profile.downloadBytes / 1024 / 1024} MB`)
  // Its own process, warmed up by a small download, so the delta is the download's and not the previous run's heap.
  const downloader = await launchBot("openpollen", sim, app, openpollenOptions(profile))
  try {
    await measureDownload(sim, downloader, first(makeChats(sim, 1)), 1024 * 1024)
    return await measureDownload(sim, downloader, first(makeChats(sim, 1)), profile.downloadBytes)
  } finally {
    await downloader.stop()
  }
}

/** `--only download`: the download scenario alone, `runs` times, each in a fresh bot; one JSON line per run. */
export const downloadOnly = async (sim: Simulator, profile: Profile, runs: number) => {
  const [oursApp] = sim.apps as [SimApp, SimApp]
  const results: Array<{ download_rss_delta_mb: number; download_ms: number }> = []
  for (let run = 0; run < runs; run++) {
    const { rssDeltaMb, elapsedMs } = await downloadOnce(sim, oursApp, profile)
    const result = { download_rss_delta_mb: round(rssDeltaMb), download_ms: round(elapsedMs) }
    console.log(JSON.stringify(result))
    results.push(result)
  }
  const summary = (samples: ReadonlyArray<number>) => ({
    median: median(samples),
    min: Math.min(...samples),
    max: Math.max(...samples),
  })
  console.log(
    JSON.stringify({
      profile: profile.name,
      download_mb: profile.downloadBytes / 1024 / 1024,
      runs,
      download_rss_delta_mb: summary(results.map((r) => r.download_rss_delta_mb)),
      download_ms: summary(results.map((r) => r.download_ms)),
    }),
  )
}
