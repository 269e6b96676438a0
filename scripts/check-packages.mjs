#!/usr/bin/env node
// Per-package conventions (CONTRIBUTING.md, "Package conventions"): what every workspace package declares so it
// installs cleanly into someone else's project and runs its tests the same way as the others.
// `node scripts/check-packages.mjs` reports every deviation; `--fix` rewrites the mechanical ones in place
// (metadata, the effect peer range, scripts, the one-line vitest config) and reports what it could not fix.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"

const root = new URL("..", import.meta.url).pathname
const fix = process.argv.includes("--fix")

export const REPOSITORY_URL = "git+https://github.com/openpollen/openpollen-dingtalk.git"
const EFFECT_RANGE = "^4.1.0"
/** Libraries take these from the installing project (one copy each), and use them pinned for their own tests. */
const PEERS = { effect: EFFECT_RANGE }
const CONTRACT_PEERS = { vitest: "^5.1.1", "@effect/vitest": "^4.0.5" }
const SCRIPTS = {
  build: "tsc -p tsconfig.build.json",
  dev: "tsc -p tsconfig.build.json --watch --preserveWatchOutput",
  typecheck: "tsc -p tsconfig.json --noEmit",
  test: "vitest run",
  "test:unit": "vitest run --project unit",
  "test:integration": "vitest run --project 'integration*'",
  "test:watch": "vitest",
}
const ONE_LINE_VITEST = /^import \{ [A-Za-z]+ \} from "\.\.\/\.\.\/vitest\.shared\.js"\n/

const workspaces = ["packages", "apps"].flatMap((group) =>
  readdirSync(join(root, group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, group, entry.name, "package.json")))
    .map((entry) => ({ group, dir: join(root, group, entry.name) })),
)

const KEY_ORDER = [
  "name",
  "version",
  "description",
  "private",
  "license",
  "repository",
  "type",
  "sideEffects",
  "engines",
  "exports",
  "bin",
  "files",
  "publishConfig",
  "scripts",
  "peerDependencies",
  "dependencies",
  "devDependencies",
]
const ordered = (manifest) =>
  Object.fromEntries(
    Object.entries(manifest).sort(([a], [b]) => {
      const rank = (key) => (KEY_ORDER.includes(key) ? KEY_ORDER.indexOf(key) : KEY_ORDER.length)
      return rank(a) - rank(b)
    }),
  )

const problems = []
const fixed = []

const pinnedVersionOf = (name) => {
  for (const { dir } of workspaces) {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))
    const version = manifest.devDependencies?.[name] ?? manifest.dependencies?.[name]
    if (version !== undefined && /^\d/.test(version)) return version
  }
  return undefined
}

for (const { group, dir } of workspaces) {
  const path = join(dir, "package.json")
  const original = readFileSync(path, "utf8")
  const manifest = JSON.parse(original)
  const where = relative(root, dir)
  const library = group === "packages" && manifest.private !== true
  const report = (message, repair) => {
    if (fix && repair !== undefined) {
      repair()
      fixed.push(`${where}: ${message}`)
    } else problems.push(`${where}: ${message}`)
  }

  if (manifest.license !== "MIT") report('license must be "MIT"', () => (manifest.license = "MIT"))
  if (manifest.type !== "module") report('type must be "module"', () => (manifest.type = "module"))
  if (manifest.engines?.node !== ">=22.13")
    report('engines.node must be ">=22.13"', () => (manifest.engines = { node: ">=22.13" }))
  for (const [name, command] of Object.entries(SCRIPTS))
    if (manifest.scripts?.[name] === undefined)
      report(`scripts.${name} is missing (usually "${command}")`, () => {
        manifest.scripts = { ...manifest.scripts, [name]: command }
      })
  if (!existsSync(join(dir, "README.md"))) report("README.md with a runnable example is missing")
  for (const folder of ["src", "test"])
    if (!statSync(join(dir, folder), { throwIfNoEntry: false })?.isDirectory())
      report(`${folder}/ is missing`)

  const vitestConfig = join(dir, "vitest.config.ts")
  if (!existsSync(vitestConfig) || !ONE_LINE_VITEST.test(readFileSync(vitestConfig, "utf8")))
    report("vitest.config.ts must build on ../../vitest.shared.js (unit and integration projects)", () =>
      writeFileSync(
        vitestConfig,
        'import { openPollenVitest } from "../../vitest.shared.js"\n\nexport default openPollenVitest()\n',
      ),
    )

  if (!library) {
    if (manifest.private !== true) report("apps are private", () => (manifest.private = true))
  } else {
    if (typeof manifest.description !== "string" || manifest.description === "")
      report("description is missing")
    const repository = { type: "git", url: REPOSITORY_URL, directory: where }
    if (JSON.stringify(manifest.repository) !== JSON.stringify(repository))
      report(`repository must be ${JSON.stringify(repository)}`, () => (manifest.repository = repository))
    if (manifest.sideEffects !== false)
      report("sideEffects must be false", () => (manifest.sideEffects = false))
    if (manifest.publishConfig?.access !== "public")
      report('publishConfig.access must be "public"', () => {
        manifest.publishConfig = { ...manifest.publishConfig, access: "public" }
      })
    if (!Array.isArray(manifest.files) || !manifest.files.includes("dist"))
      report('files must list "dist" (and "src" for the source maps)', () => {
        manifest.files = ["dist", "src"]
      })
    const exportsMap = manifest.exports
    if (typeof exportsMap !== "object" || exportsMap === null || exportsMap["."] === undefined)
      report('exports must map "." (and every subpath) to { types, import }')
    else
      for (const [subpath, target] of Object.entries(exportsMap)) {
        const keys = typeof target === "object" && target !== null ? Object.keys(target) : []
        const types = keys.indexOf("types")
        const imported = keys.indexOf("import")
        if (types === -1 || imported === -1 || types > imported)
          report(`exports["${subpath}"] needs "types" before "import"`)
      }

    const usesEffect = Object.keys({
      ...manifest.dependencies,
      ...manifest.peerDependencies,
      ...manifest.devDependencies,
    }).includes("effect")
    const peers = {
      ...(usesEffect ? PEERS : {}),
      ...(manifest.name === "@openpollen/contracts" ? CONTRACT_PEERS : {}),
    }
    for (const [name, range] of Object.entries(peers)) {
      if (manifest.dependencies?.[name] !== undefined || manifest.peerDependencies?.[name] !== range)
        report(`${name} must be a peerDependency "${range}" (one copy, the installing project's)`, () => {
          const pinned =
            manifest.dependencies?.[name] ?? manifest.devDependencies?.[name] ?? pinnedVersionOf(name)
          if (manifest.dependencies !== undefined) delete manifest.dependencies[name]
          manifest.peerDependencies = { ...manifest.peerDependencies, [name]: range }
          manifest.devDependencies = { ...manifest.devDependencies, [name]: pinned }
        })
      else if (manifest.devDependencies?.[name] === undefined)
        report(`${name} must also be a devDependency (pinned) for the package's own tests`, () => {
          manifest.devDependencies = { ...manifest.devDependencies, [name]: pinnedVersionOf(name) }
        })
    }
  }

  const updated = `${JSON.stringify(ordered(manifest), null, 2)}\n`
  if (fix && updated !== original) writeFileSync(path, updated)
}

if (!existsSync(join(root, "LICENSE"))) problems.push("LICENSE (MIT) is missing at the repository root")

for (const line of fixed) console.log(`fixed ${line}`)
if (problems.length > 0) {
  console.error(
    `Package conventions not met (${problems.length}):\n${problems.map((p) => `  - ${p}`).join("\n")}` +
      (fix ? "" : "\n`node scripts/check-packages.mjs --fix` repairs the mechanical ones."),
  )
  process.exit(1)
}
console.log(`Package conventions hold across ${workspaces.length} workspace packages.`)
