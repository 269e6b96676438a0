import { mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { startSimulator } from "@openpollen/simulator"
import { launchBot, type RunningBot } from "./bots.js"
import { forceFullGc } from "./inspector.js"
import { type Chat, makeChats, ReplyTracker, sleep, within } from "./ReplyTracker.js"
import { median, round } from "./stats.js"

// `pnpm soak`: the bot under steady load for N minutes, with a server rotation every minute and a killed socket
// every 150 s. Every sample reads RSS as it is and again right after a full GC forced through the bot's inspector:
// raw RSS follows V8's heap sizing, the second shows what the bot retains. It passes when the retained RSS grows less
// than 5% from the second minute to the last, live handles do not grow, and every message is answered exactly once.

interface Sample {
  readonly atS: number
  /** The SQLite file with its WAL, in bytes (0 with the memory store). */
  readonly databaseBytes: number
  readonly rssMb: number
  readonly retainedRssMb: number
  readonly resources: Readonly<Record<string, number>>
}

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    rate: { type: "string", default: "50" },
    conversations: { type: "string", default: "500" },
    store: { type: "string", default: "sqlite" },
    // How long answered message ids are kept (store.dedupeTtlMs); shorter than the soak, the file must level off.
    "dedupe-ttl-ms": { type: "string", default: "86400000" },
  },
})
if (values.store !== "memory" && values.store !== "sqlite") throw new Error("--store takes: memory, sqlite")
const minutes = Number(values.minutes)
const ratePerSecond = Number(values.rate)
const progress = (message: string) => process.stderr.write(`[soak] ${message}\n`)

const resourcesOf = async (bot: RunningBot): Promise<Record<string, number>> => {
  const url = bot.gatewayUrl()
  if (url === undefined) return {}
  const body = (await (await fetch(`${url}/api/status`)).json()) as {
    process?: { activeResources?: Record<string, number> }
  }
  return body.process?.activeResources ?? {}
}

const sim = await startSimulator({ apps: [{ clientId: "soak-openpollen", clientSecret: "soak-secret" }] })
const app = sim.app
const stateDir = mkdtempSync(join(tmpdir(), "openpollen-soak-"))
const databasePath = join(stateDir, "soak.sqlite")
const databaseBytes = () =>
  ["", "-wal"].reduce(
    (total, suffix) => total + (statSync(`${databasePath}${suffix}`, { throwIfNoEntry: false })?.size ?? 0),
    0,
  )
const bot = await launchBot("openpollen", sim, app, {
  inspect: true,
  store:
    values.store === "sqlite"
      ? { kind: "sqlite", path: databasePath, dedupeTtlMs: Number(values["dedupe-ttl-ms"]) }
      : { kind: "memory" },
})
const inspectorUrl = bot.inspectorUrl()
if (inspectorUrl === undefined) throw new Error("the bot's inspector did not start")
const tracker = new ReplyTracker(sim, 1)
const chats = makeChats(sim, Number(values.conversations))
const samples: Array<Sample> = []
const answers: Array<Promise<number>> = []
const startedAt = Date.now()
const endsAt = startedAt + minutes * 60_000
let nextSampleAt = startedAt + 10_000
let nextRotationAt = startedAt + 60_000
let nextKillAt = startedAt + 150_000
let sent = 0
let failed: string | undefined

try {
  while (Date.now() < endsAt) {
    const due = Math.floor(((Date.now() - startedAt) / 1000) * ratePerSecond)
    while (sent < due) {
      answers.push(tracker.send(app, chats[sent % chats.length] as Chat).answered)
      sent += 1
    }
    const now = Date.now()
    if (now >= nextRotationAt) {
      for (const connection of sim.connections(app.clientId)) sim.disconnect(connection.id, "soak rotation")
      nextRotationAt += 60_000
    }
    if (now >= nextKillAt) {
      for (const connection of sim.connections(app.clientId)) sim.kill(connection.id)
      nextKillAt += 150_000
    }
    if (now >= nextSampleAt) {
      const rssMb = bot.rssMb()
      await forceFullGc(inspectorUrl)
      const sample = {
        atS: Math.round((now - startedAt) / 1000),
        databaseBytes: databaseBytes(),
        rssMb,
        retainedRssMb: bot.rssMb(),
        resources: await resourcesOf(bot),
      }
      samples.push(sample)
      progress(
        `${sample.atS}s rss ${round(sample.rssMb)} MB, after GC ${round(sample.retainedRssMb)} MB, ` +
          `${JSON.stringify(sample.resources)}, sent ${sent}`,
      )
      nextSampleAt += 10_000
    }
    await sleep(20)
  }
  await within(Promise.all(answers), 60_000, "the last soak messages")
} catch (error) {
  failed = error instanceof Error ? error.message : String(error)
}

const window = (fromS: number, toS: number, read: (sample: Sample) => number) =>
  median(samples.filter((sample) => sample.atS > fromS && sample.atS <= toS).map(read))
const lastS = minutes * 60
// The second minute against the last one; a soak shorter than 3 minutes compares its middle third with its last.
const span = Math.min(60, lastS / 3)
const growthOf = (read: (sample: Sample) => number) => {
  const early = window(span, 2 * span, read)
  const late = window(lastS - span, lastS, read)
  return { early, late, growth: (late - early) / early }
}
const raw = growthOf((sample) => sample.rssMb)
const retained = growthOf((sample) => sample.retainedRssMb)
const first = samples.find((sample) => sample.atS > span)?.resources ?? {}
const last = samples.at(-1)?.resources ?? {}
const handleGrowth = Object.fromEntries(
  [...new Set([...Object.keys(first), ...Object.keys(last)])].map((kind) => [
    kind,
    (last[kind] ?? 0) - (first[kind] ?? 0),
  ]),
)
const leakedHandles = Object.values(handleGrowth).some((delta) => delta > 2)
const result = {
  minutes,
  messages: sent,
  lost: tracker.lost,
  duplicates: tracker.duplicates,
  rss_minute_2_mb: round(raw.early),
  rss_last_minute_mb: round(raw.late),
  rss_growth_pct: round(raw.growth * 100, 2),
  retained_rss_minute_2_mb: round(retained.early),
  retained_rss_last_minute_mb: round(retained.late),
  retained_rss_growth_pct: round(retained.growth * 100, 2),
  handle_growth: handleGrowth,
  store: values.store,
  dedupe_ttl_ms: values.store === "sqlite" ? Number(values["dedupe-ttl-ms"]) : null,
  database_bytes_early: values.store === "sqlite" ? growthOf((sample) => sample.databaseBytes).early : null,
  database_bytes_last: values.store === "sqlite" ? (samples.at(-1)?.databaseBytes ?? 0) : null,
  database_bytes_growth_pct:
    values.store === "sqlite" ? round(growthOf((sample) => sample.databaseBytes).growth * 100, 2) : null,
  // The file grows while the store keeps answered keys (dedupe_ttl_ms), then SQLite reuses the pages of expired ones.
  database_bytes_by_minute:
    values.store === "sqlite"
      ? Array.from(
          { length: minutes },
          (_, minute) =>
            samples.filter((sample) => sample.atS <= (minute + 1) * 60).at(-1)?.databaseBytes ?? 0,
        )
      : null,
  connections_opened: sim.counters.connectionsOpened,
  failed: failed ?? null,
}
await bot.stop()
tracker.close()
await sim.close()
rmSync(stateDir, { recursive: true, force: true })
console.log(JSON.stringify(result))
const passed =
  failed === undefined &&
  result.lost === 0 &&
  result.duplicates === 0 &&
  retained.growth < 0.05 &&
  !leakedHandles
if (!passed) process.exitCode = 1
