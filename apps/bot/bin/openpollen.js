#!/usr/bin/env node
import { enableCompileCache } from "node:module"

// Node keeps compiled modules on disk (in the OS temp folder), so every start after the first skips compiling them.
enableCompileCache?.()
await import("../dist/cli.js")
