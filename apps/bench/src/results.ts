import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { isAbsolute, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import type { BenchResult } from "./BenchResult.js"
import { type ChartData, renderChart } from "./chart.js"
import { formatJson } from "./formatJson.js"
import { hasMarkerBlock, replaceMarkerBlock } from "./markerBlock.js"
import { renderSpreadTable } from "./spreadTable.js"

export const REPOSITORY = fileURLToPath(new URL("../../../", import.meta.url))
/** The default output folder (gitignored), at the repository's root. */
export const DEFAULT_OUT = join(REPOSITORY, "bench-results")

/** Where a run is published: the folder for its JSON and chart, and the documents that show its JSON line. */
export interface PublishTarget {
  readonly folder: string
  /**
   * Each holds a `<!-- bench:latest-json -->` … `<!-- /bench:latest-json -->` block, and may hold a
   * `bench:latest-rounds` block for the run's figures round by round.
   */
  readonly documents: ReadonlyArray<string>
}

export const DOCS: PublishTarget = {
  folder: join(REPOSITORY, "docs", "bench"),
  documents: [join(REPOSITORY, "docs", "benchmarks.md"), join(REPOSITORY, "README.md")],
}

/** `--out DIR` is read from where `pnpm` was started (INIT_CWD), not from the package's folder. */
export const outDir = (option: string | undefined): string =>
  option === undefined
    ? DEFAULT_OUT
    : isAbsolute(option)
      ? option
      : resolve(process.env.INIT_CWD ?? process.cwd(), option)

/** Writes `latest.json` (the result) and `latest.svg` (its chart) into `dir`. */
export const writeResults = <R extends ChartData>(dir: string, result: R): void => {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, "latest.json"), formatJson(result))
  writeFileSync(join(dir, "latest.svg"), renderChart(result))
}

/**
 * Copies the latest full run from `dir` into docs/bench/ and writes its JSON line into the documents that show it.
 * Refuses a smoke run or a run whose verdict was refused: what is published must be a measurement.
 */
export const publishResults = (dir: string, target: PublishTarget = DOCS): string => {
  const result = JSON.parse(readFileSync(join(dir, "latest.json"), "utf8")) as BenchResult & {
    readonly verdict?: string
  }
  if (result.profile !== "full")
    throw new Error(`only a full run is published; ${dir} holds a ${result.profile} run`)
  if (result.verdict === "refused")
    throw new Error("the machine was too busy for a verdict in that run; re-run on a quiet machine")
  const block = ["```json", JSON.stringify(result), "```"].join("\n")
  const rounds = renderSpreadTable(result)
  // Every document is read and filled before anything is written, so a missing block changes nothing.
  const filled = target.documents.map((document) => {
    const text = replaceMarkerBlock(readFileSync(document, "utf8"), "bench:latest-json", block)
    return {
      document,
      text: hasMarkerBlock(text, "bench:latest-rounds")
        ? replaceMarkerBlock(text, "bench:latest-rounds", rounds)
        : text,
    }
  })
  mkdirSync(target.folder, { recursive: true })
  copyFileSync(join(dir, "latest.json"), join(target.folder, "latest.json"))
  copyFileSync(join(dir, "latest.svg"), join(target.folder, "latest.svg"))
  for (const { document, text } of filled) writeFileSync(document, text)
  return target.folder
}
