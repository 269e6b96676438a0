import { parseArgs } from "node:util"
import { outDir, publishResults } from "./results.js"

// `pnpm --filter @openpollen/bench bench:publish [--out DIR]`: publishes the run already in DIR without re-running it.
const { values } = parseArgs({ options: { out: { type: "string" } } })
try {
  const published = publishResults(outDir(values.out))
  console.log(`published into ${published}; commit docs/bench/, docs/benchmarks.md and README.md`)
} catch (error) {
  console.error(`bench:publish: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}
