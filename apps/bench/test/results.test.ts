import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { publishResults, writeResults } from "../src/results.js"
import { renderSpreadTable } from "../src/spreadTable.js"
import { quietRun } from "./fixtures/quietRun.js"

const DOCUMENT =
  "# Bench\n\n<!-- bench:latest-json -->\n_None yet._\n<!-- /bench:latest-json -->\n\n" +
  "<!-- bench:latest-rounds -->\n_No rounds yet._\n<!-- /bench:latest-rounds -->\n"

describe("writeResults and publishResults", () => {
  let root = ""
  let out = ""
  let target = { folder: "", documents: [""] }
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "openpollen-bench-results-"))
    out = join(root, "bench-results")
    mkdirSync(join(root, "docs"))
    target = { folder: join(root, "docs", "bench"), documents: [join(root, "docs", "benchmarks.md")] }
    writeFileSync(join(root, "docs", "benchmarks.md"), DOCUMENT)
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  it("writes the JSON line and its chart, and publishes both with the line in each document", () => {
    const line = { ...quietRun, verdict: "met" }
    writeResults(out, line)
    expect(JSON.parse(readFileSync(join(out, "latest.json"), "utf8"))).toEqual(line)
    expect(readFileSync(join(out, "latest.svg"), "utf8")).toContain("<svg")
    expect(publishResults(out, target)).toBe(target.folder)
    expect(readFileSync(join(target.folder, "latest.json"), "utf8")).toBe(
      readFileSync(join(out, "latest.json"), "utf8"),
    )
    expect(readFileSync(join(target.folder, "latest.svg"), "utf8")).toBe(
      readFileSync(join(out, "latest.svg"), "utf8"),
    )
    const document = readFileSync(join(root, "docs", "benchmarks.md"), "utf8")
    expect(document).toBe(
      DOCUMENT.replace("_None yet._", ["```json", JSON.stringify(line), "```"].join("\n")).replace(
        "_No rounds yet._",
        renderSpreadTable(line),
      ),
    )
  })

  it("publishes neither a smoke run nor a refused one, and leaves the documents alone", () => {
    writeResults(out, { ...quietRun, profile: "smoke", verdict: "not enforced" })
    expect(() => publishResults(out, target)).toThrow(/only a full run/)
    writeResults(out, { ...quietRun, verdict: "refused" })
    expect(() => publishResults(out, target)).toThrow(/too busy/)
    expect(readFileSync(join(root, "docs", "benchmarks.md"), "utf8")).toBe(DOCUMENT)
  })

  it("changes nothing when a document has lost its block", () => {
    writeResults(out, { ...quietRun, verdict: "missed" })
    writeFileSync(join(root, "docs", "benchmarks.md"), "# Bench\n")
    expect(() => publishResults(out, target)).toThrow(/bench:latest-json/)
    expect(() => readFileSync(join(target.folder, "latest.json"))).toThrow()
  })
})
