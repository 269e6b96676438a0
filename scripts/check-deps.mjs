#!/usr/bin/env node
// The dependency rule: core imports only `effect`; adapters and tooling import core and never each other (except
// that agent adapters share @openpollen/agent-tools);
// only apps wire several adapters. Every bare import must also be declared in the importing package.json.
// And no source file (`src/**/*.ts`) is longer than MAX_SOURCE_LINES: one concept per file.
import { readdirSync, readFileSync, statSync } from "node:fs"
import { builtinModules } from "node:module"
import { join, relative } from "node:path"

const root = process.argv[2] ?? new URL("..", import.meta.url).pathname
const CORE = "@openpollen/core"
const MAX_SOURCE_LINES = 300
const TOOLING = new Set(["@openpollen/simulator", "@openpollen/contracts"])
// What the model agents share (read_file, the streamed request): only agent adapters may import it.
const AGENT_SHARED = "@openpollen/agent-tools"
const isAgentAdapter = (name) => name.startsWith("@openpollen/agent-") && name !== AGENT_SHARED

const workspaces = ["packages", "apps"].flatMap((group) =>
  readdirSync(join(root, group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, group, entry.name))
    .filter((dir) => statSync(join(dir, "package.json"), { throwIfNoEntry: false }))
    .map((dir) => ({ dir, group, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) })),
)

const roleOf = (ws) => {
  if (ws.group === "apps") return "app"
  if (ws.manifest.name === CORE) return "core"
  return TOOLING.has(ws.manifest.name) ? "tooling" : "adapter"
}

const sourceFiles = (dir) => {
  const found = []
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name)
      if (entry.isDirectory() && entry.name !== "node_modules" && entry.name !== "dist") walk(path)
      else if (/\.(m?ts|tsx|m?js)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) found.push(path)
    }
  }
  if (statSync(dir, { throwIfNoEntry: false })) walk(dir)
  return found
}

const IMPORT =
  /(?:^|[^\w.])(?:import|export)\s[^'"`;]*?from\s*["']([^"']+)["']|(?:^|[^\w.])import\s*\(?\s*["']([^"']+)["']/gm
const packageName = (specifier) => {
  const parts = specifier.split("/")
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]
}
const isBuiltin = (name) => name.startsWith("node:") || builtinModules.includes(name)

const violations = []
for (const ws of workspaces) {
  const role = roleOf(ws)
  const declared = new Set([
    ...Object.keys(ws.manifest.dependencies ?? {}),
    ...Object.keys(ws.manifest.peerDependencies ?? {}),
  ])
  const declaredForTests = new Set([...declared, ...Object.keys(ws.manifest.devDependencies ?? {})])
  for (const [folder, allowed] of [
    ["src", declared],
    ["test", declaredForTests],
  ]) {
    const adaptersUsed = new Set()
    for (const file of sourceFiles(join(ws.dir, folder))) {
      const text = readFileSync(file, "utf8")
      for (const match of text.matchAll(IMPORT)) {
        const specifier = match[1] ?? match[2]
        if (!specifier || specifier.startsWith(".") || specifier.startsWith("/")) continue
        const name = packageName(specifier)
        const where = `${relative(root, file)} imports "${specifier}"`
        if (role === "core" && folder === "src" && name !== "effect") {
          violations.push(`${where}: the core may import only "effect"`)
          continue
        }
        if (isBuiltin(name) || name === ws.manifest.name) continue
        if (!allowed.has(name)) violations.push(`${where}, which ${ws.manifest.name} does not declare`)
        const target = workspaces.find((other) => other.manifest.name === name)
        if (!target || target === ws) continue
        const targetRole = roleOf(target)
        if (targetRole === "app") violations.push(`${where}: nothing may import an app`)
        const sharedByAgents = name === AGENT_SHARED && isAgentAdapter(ws.manifest.name)
        if (role !== "app" && targetRole === "adapter" && !sharedByAgents)
          violations.push(`${where}: adapters never import each other`)
        if (role !== "app" && folder === "src" && targetRole === "tooling")
          violations.push(`${where}: only tests and apps may use tooling packages`)
        if (targetRole === "adapter" && !sharedByAgents) adaptersUsed.add(name)
      }
    }
    if (role !== "app" && adaptersUsed.size > 1)
      violations.push(
        `${ws.manifest.name}/${folder} wires several adapters (${[...adaptersUsed].join(", ")}); only apps may`,
      )
  }
}

for (const ws of workspaces) {
  for (const file of sourceFiles(join(ws.dir, "src"))) {
    if (!/\.m?ts$/.test(file)) continue
    const text = readFileSync(file, "utf8")
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0)
    if (lines > MAX_SOURCE_LINES)
      violations.push(
        `${relative(root, file)} has ${lines} lines; split it (at most ${MAX_SOURCE_LINES} per source file)`,
      )
  }
}

if (violations.length > 0) {
  console.error(
    `Dependency or file-size rule violated (${violations.length}):\n${violations.map((v) => `  - ${v}`).join("\n")}`,
  )
  process.exit(1)
}
console.log(`Dependency and file-size rules hold across ${workspaces.length} workspace packages.`)
