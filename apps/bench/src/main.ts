import { parseArgs } from "node:util"
import { startSimulator } from "@openpollen/simulator"
import { stopEveryBot } from "./bots.js"
import { downloadOnly } from "./downloadOnly.js"
import { FULL, SMOKE } from "./profiles.js"
import { renderTable, roundResult, TARGETS } from "./report.js"
import { outDir, publishResults, writeResults } from "./results.js"
import { runBench } from "./runBench.js"
import { measureCards } from "./scenarios/cards.js"
import { sqliteOnly } from "./sqliteOnly.js"
import { EXIT_CODE, verdictOf } from "./verdict.js"

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`)

const usageError = (message: string): never => {
  progress(message)
  process.exit(EXIT_CODE.failed)
}

const OPTIONS = {
  smoke: { type: "boolean", default: false },
  check: { type: "boolean", default: false },
  only: { type: "string" },
  runs: { type: "string", default: "1" },
  out: { type: "string" },
  publish: { type: "boolean", default: false },
} as const

const parseOptions = () => {
  try {
    return parseArgs({ options: OPTIONS }).values
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error))
  }
}
const values = parseOptions()
const ONLY = ["download", "sqlite", "cards"]
if (values.only !== undefined && !ONLY.includes(values.only)) usageError(`--only takes: ${ONLY.join(", ")}`)
const downloadRuns = Number(values.runs)
if (!Number.isInteger(downloadRuns) || downloadRuns < 1) usageError("--runs takes a positive integer")
const profile = values.smoke ? SMOKE : FULL
// The smoke profile proves the bench works (CI runs it on shared machines); its verdict counts only with --check.
const enforced = profile.name === "full" || values.check
const out = outDir(values.out)

const publish = () => {
  try {
    progress(`published into ${publishResults(out)}`)
  } catch (error) {
    progress(`not published: ${error instanceof Error ? error.message : String(error)}`)
    if (!process.exitCode) process.exitCode = EXIT_CODE.failed
  }
}

const sim = await startSimulator({
  apps: [
    { clientId: "bench-openpollen", clientSecret: "bench-openpollen-secret" },
    { clientId: "bench-baseline", clientSecret: "bench-baseline-secret" },
    { clientId: "bench-sqlite", clientSecret: "bench-sqlite-secret" },
  ],
  disconnectGraceMs: profile.disconnectGraceMs,
})
try {
  if (values.only === "download") await downloadOnly(sim, profile, downloadRuns)
  else if (values.only === "sqlite") await sqliteOnly(sim, profile)
  else if (values.only === "cards") console.log(JSON.stringify(roundResult(await measureCards(profile))))
  else {
    const result = roundResult(await runBench(sim, profile))
    const verdict = verdictOf(result, TARGETS)
    console.log(renderTable(result, verdict, enforced))
    const line = { ...result, verdict: enforced ? verdict.kind : "not enforced" }
    writeResults(out, line)
    progress(`wrote ${out}/latest.json and latest.svg`)
    console.log(JSON.stringify(line))
    if (enforced) process.exitCode = EXIT_CODE[verdict.kind]
    if (values.publish) publish()
  }
} catch (error) {
  progress(`failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = EXIT_CODE.failed
} finally {
  await stopEveryBot()
  await sim.close()
}
