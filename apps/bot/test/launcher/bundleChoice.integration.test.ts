import { spawnSync } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"

const LAUNCHER = new URL("../../bin/openpollen.js", import.meta.url).pathname

/** A copy of the launcher over two stand-in entry points that say which of them ran. */
const standIn = (withBundle: boolean) => {
  const root = mkdtempSync(join(tmpdir(), "openpollen-launcher-"))
  mkdirSync(join(root, "bin"))
  mkdirSync(join(root, "dist", "bundle"), { recursive: true })
  copyFileSync(LAUNCHER, join(root, "bin", "openpollen.js"))
  writeFileSync(join(root, "package.json"), '{ "type": "module" }\n')
  writeFileSync(join(root, "dist", "cli.js"), 'process.stdout.write("modules")\n')
  if (withBundle) {
    writeFileSync(join(root, "dist", "bundle", "cli.js"), 'process.stdout.write("bundle")\n')
    // A build restored from turbo's cache can leave the bundle a few ms older than dist/cli.js.
    const older = new Date(Date.now() - 60_000)
    utimesSync(join(root, "dist", "bundle", "cli.js"), older, older)
  }
  return root
}

const roots: Array<string> = []
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true })
})

const run = (withBundle: boolean) => {
  const root = standIn(withBundle)
  roots.push(root)
  return spawnSync(process.execPath, [join(root, "bin", "openpollen.js")], {
    encoding: "utf8",
    timeout: 20_000,
  })
}

describe("the launcher", () => {
  it("runs the bundle whenever the build made one, whatever the files' times", () => {
    expect(run(true).stdout).toBe("bundle")
  })

  it("runs the modules when there is no bundle (pnpm dev removes it)", () => {
    expect(run(false).stdout).toBe("modules")
  })
})
