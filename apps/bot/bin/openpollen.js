#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --max-semi-space-size=4
import { enableCompileCache } from "node:module"
import { setFlagsFromString } from "node:v8"

// A bot runs for months in bursts. By default V8 lets the old generation grow to several times what is live before it
// collects (about 300 MB RSS after 100,000 messages, 120 MB of it live); growing by a fifth keeps it near 170 MB for
// no measurable CPU cost (apps/bench). Set before the app allocates anything. The young generation's cap (16 MB by
// default, 4 here) can only be set when node starts: in the line above and in this package's scripts. So can glibc's
// arena count: with an arena per thread, V8's helper threads leave freed memory scattered over arenas that are
// rarely given back (a 5-minute soak: +4.6 MB in them and rising; with the one main arena, flat).
setFlagsFromString("--heap-growing-percent=20")
// Under a burst most per-message objects are still in flight at a young collection, so V8 learns to allocate them
// straight into the old generation, and keeps doing so once the burst is over: each young collection then scans and
// promotes about three times as much, and the latency tail follows it (apps/bench: p99 at 200/s 5.8 -> 4.7 ms).
setFlagsFromString("--no-allocation-site-pretenuring")

// Node keeps compiled modules on disk (in the OS temp folder), so every start after the first skips compiling them.
enableCompileCache?.()
await import("../dist/cli.js")
