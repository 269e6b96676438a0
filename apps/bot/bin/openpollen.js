#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --max-semi-space-size=8
// Only what every Node since 18 has may run before the version check below: an older node must reach it.
import { existsSync } from "node:fs"
import nodeModule from "node:module"
import { setFlagsFromString } from "node:v8"

const [major = 0, minor = 0] = process.versions.node.split(".").map(Number)
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `openpollen needs Node.js 22.13 or newer (this is ${process.version}): install Node 22 (https://nodejs.org, or \`nvm install 22\`), or run it from the repository with \`npx -y pnpm@10.34.8 start\`, which brings its own Node 22.\n`,
  )
  process.exit(1)
}

// A bot runs for months in bursts. By default V8 lets the old generation grow to several times what is live before it
// collects (about 300 MB RSS after 100,000 messages, 120 MB of it live); growing by a fifth keeps it near 170 MB for
// no measurable CPU cost (apps/bench). Set before the app allocates anything. The young generation's cap (16 MB by
// default, 8 here) can only be set when node starts: in the line above and in this package's scripts. So can glibc's
// arena count: with an arena per thread, V8's helper threads leave freed memory scattered over arenas that are
// rarely given back (a 5-minute soak: +4.6 MB in them and rising; with the one main arena, flat).
setFlagsFromString("--heap-growing-percent=20")
// Under a burst most per-message objects are still in flight at a young collection, so V8 learns to allocate them
// straight into the old generation, and keeps doing so once the burst is over: each young collection then scans and
// promotes about three times as much, and the latency tail follows it (apps/bench: p99 at 200/s 5.8 -> 4.7 ms).
setFlagsFromString("--no-allocation-site-pretenuring")

// Node keeps compiled modules on disk (in the OS temp folder), so every start after the first skips compiling them.
nodeModule.enableCompileCache?.()

// `pnpm build` bundles the CLI into dist/bundle (a start then loads a few files, not hundreds of modules). `pnpm dev`
// removes the bundle before it recompiles dist/, so the modules run then and a stale bundle never does.
const bundled = existsSync(new URL("../dist/bundle/cli.js", import.meta.url))
await import(bundled ? "../dist/bundle/cli.js" : "../dist/cli.js")
