// Bundles the CLI (dist/cli.js and everything it loads from this workspace and from effect) into dist/bundle/, so a
// start resolves and evaluates a few files instead of about 420 modules: cold start and idle memory both drop by a
// third (apps/bench). Other npm packages stay external and load from node_modules as usual; each must be a declared
// dependency of this package, or the deployed bot could not find it. Lazily loaded parts (the stores, the agents, the
// sandbox) stay lazy: each dynamic import becomes a chunk of its own.
import { readFileSync, rmSync } from "node:fs"
import { builtinModules } from "node:module"
import { fileURLToPath } from "node:url"
import { rolldown } from "rolldown"

const root = fileURLToPath(new URL("..", import.meta.url))
const out = `${root}dist/bundle`
const manifest = JSON.parse(readFileSync(`${root}package.json`, "utf8"))
const declared = new Set(Object.keys(manifest.dependencies ?? {}))
const builtins = new Set(builtinModules)

const packageOf = (id) =>
  id
    .split("/")
    .slice(0, id.startsWith("@") ? 2 : 1)
    .join("/")
// dingtalk-stream is bundled so that its `axios` import can be left out (below).
const bundled = (name) => name === "effect" || name === "dingtalk-stream" || name.startsWith("@openpollen/")
const undeclared = new Set()

// dingtalk-stream imports axios for the two calls the bot makes itself (the token and the gateway endpoint;
// packages/stream never runs them), and loading axios was a fifth of a start. In the bundle that import is a function
// that refuses to run, naming why, should a later SDK call it after all.
const AXIOS_LEFT_OUT = "\0axios-left-out-of-dingtalk-stream"
const leftOutOfSdk = (id, importer) => id === "axios" && importer?.includes("/dingtalk-stream/") === true
const withoutAxios = {
  name: "dingtalk-stream-without-axios",
  resolveId: (source, importer) => (leftOutOfSdk(source, importer) ? AXIOS_LEFT_OUT : null),
  load: (id) =>
    id === AXIOS_LEFT_OUT
      ? `const leftOut = () => { throw new Error("dingtalk-stream called axios, which the bot's bundle leaves out: its Stream connection is its own (packages/stream)") }
export default Object.assign(leftOut, { get: leftOut, post: leftOut, request: leftOut })`
      : null,
}

const isExternal = (id, importer) => {
  if (leftOutOfSdk(id, importer)) return false
  if (id.startsWith(".") || id.startsWith("/") || id.startsWith("\0")) return false
  if (id.startsWith("node:") || builtins.has(packageOf(id))) return true
  const name = packageOf(id)
  if (bundled(name)) return false
  if (!declared.has(name)) undeclared.add(name)
  return true
}

rmSync(out, { recursive: true, force: true })
// `pnpm dev` recompiles only dist/: without a bundle the launcher runs those modules.
if (process.argv.includes("--remove")) process.exit(0)
const build = await rolldown({
  input: { cli: `${root}dist/cli.js` },
  platform: "node",
  external: isExternal,
  plugins: [withoutAxios],
  logLevel: "warn",
})
await build.write({
  dir: out,
  format: "esm",
  entryFileNames: "[name].js",
  chunkFileNames: "chunks/[name]-[hash].js",
  comments: { legal: false },
})
await build.close()
if (undeclared.size > 0) {
  console.error(
    `bundle: ${[...undeclared].join(", ")} must be dependencies of @openpollen/bot: the bundle imports them at run time`,
  )
  process.exit(1)
}
