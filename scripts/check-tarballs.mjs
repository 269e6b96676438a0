#!/usr/bin/env node
// What another project gets from `npm install @openpollen/…`: packs every library package, lints each tarball
// (publint, and @arethetypeswrong/cli for its types), then installs the tarballs into a fresh project that brings
// its own `effect` (the newest ^4.1.0, or --effect=VERSION), checks that exactly one copy of effect is installed,
// typechecks a small program with skipLibCheck off and runs it against the simulator (core + the stream adapter).
// Needs the npm registry (or pnpm's store) for the third-party dependencies; nothing else.
import { execFileSync } from "node:child_process"
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const keep = process.argv.includes("--keep")
const effectVersion =
  process.argv.find((arg) => arg.startsWith("--effect="))?.slice("--effect=".length) ?? "^4.1.0"

const run = (command, args, cwd = root) => {
  console.log(`$ ${[command, ...args].join(" ")}`)
  return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
}
const fail = (message) => {
  console.error(`check-tarballs: ${message}`)
  process.exit(1)
}

const libraries = readdirSync(join(root, "packages"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => join(root, "packages", entry.name))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
  .filter(({ manifest }) => manifest.private !== true)

run("pnpm", ["exec", "turbo", "run", "build", "--filter=./packages/*", "--output-logs=errors-only"])

const work = mkdtempSync(join(tmpdir(), "openpollen-tarballs-"))
const tarballs = new Map()
try {
  for (const { dir, manifest } of libraries) {
    const packed = JSON.parse(run("pnpm", ["pack", "--pack-destination", work, "--json"], dir))
    tarballs.set(manifest.name, packed.filename)
    process.stdout.write(run("pnpm", ["exec", "publint", "run", packed.filename, "--strict"]))
    process.stdout.write(
      run("pnpm", [
        "exec",
        "attw",
        packed.filename,
        "--profile",
        "esm-only",
        "--no-emoji",
        "--format",
        "table-flipped",
        "--no-definitely-typed",
      ]),
    )
  }

  const project = join(work, "project")
  mkdirSync(project)
  const file = (name) => `file:${tarballs.get(name)}`
  const dependencies = Object.fromEntries([...tarballs.keys()].map((name) => [name, file(name)]))
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify(
      {
        name: "installs-openpollen",
        private: true,
        type: "module",
        dependencies: { ...dependencies, effect: effectVersion },
        devDependencies: { typescript: "6.0.3", "@types/node": "^22.19.0" },
        // Tarballs name each other by version range, which no registry has yet: point them at the tarballs.
        pnpm: { overrides: dependencies },
      },
      null,
      2,
    ),
  )
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2023",
        // effect's crypto types name the Web Crypto globals (CryptoKey) that only the DOM library declares.
        lib: ["ES2023", "DOM"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        exactOptionalPropertyTypes: true,
        skipLibCheck: false,
        types: ["node"],
        outDir: "dist",
      },
      include: ["main.ts"],
    }),
  )
  writeFileSync(
    join(project, "main.ts"),
    `import { decodeCallback, Transport } from "@openpollen/core"
import { startSimulator } from "@openpollen/simulator"
import { StreamTransport } from "@openpollen/stream"
import { Effect, Redacted, Result, Stream } from "effect"

const simulator = await startSimulator()
const alice = simulator.addUser({ nick: "Alice", staffId: "alice" })
const received = Effect.gen(function* () {
  const transport = yield* Transport
  yield* Effect.promise(() => simulator.waitForConnections(1))
  const delivery = yield* Effect.promise(() => simulator.sendText(simulator.dm(alice), alice, "hello"))
  const frame = yield* Stream.runHead(transport.frames)
  const message = frame._tag === "Some" ? decodeCallback(frame.value.data) : undefined
  if (message === undefined || Result.isFailure(message) || message.success.messageId !== delivery.msgId)
    return yield* Effect.die(new Error("the callback did not arrive decoded"))
  yield* Effect.promise(() => delivery.acked)
  return message.success.type
}).pipe(
  Effect.provide(
    StreamTransport.layer({
      clientId: simulator.app.clientId,
      clientSecret: Redacted.make(simulator.app.clientSecret),
      apiBase: simulator.url,
    }),
  ),
)
const type = await Effect.runPromise(received)
await simulator.close()
console.log(\`received and ACKed a \${type} message\`)
`,
  )
  run("pnpm", ["install", "--ignore-workspace", "--config.strict-peer-dependencies=true"], project)

  const installed = JSON.parse(readFileSync(join(project, "node_modules", "effect", "package.json"), "utf8"))
  const projectEffect = realpathSync(join(project, "node_modules", "effect"))
  const copies = readdirSync(join(project, "node_modules", ".pnpm")).filter((entry) =>
    entry.startsWith("effect@"),
  )
  if (copies.length !== 1) fail(`expected one copy of effect, found ${copies.length}: ${copies.join(", ")}`)
  for (const name of tarballs.keys()) {
    const installedAt = realpathSync(join(project, "node_modules", ...name.split("/")))
    const manifest = JSON.parse(readFileSync(join(installedAt, "package.json"), "utf8"))
    if (manifest.peerDependencies?.effect === undefined) continue
    const seen = realpathSync(join(installedAt, "..", "..", "effect"))
    if (seen !== projectEffect) fail(`${name} sees effect at ${seen}, the project has ${projectEffect}`)
  }
  console.log(
    `one copy of effect (${installed.version}), shared by the project and every @openpollen package`,
  )

  run(join(project, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], project)
  const output = run(process.execPath, ["dist/main.js"], project).trim().split("\n").at(-1)
  if (output !== "received and ACKed a text message") fail(`the program printed "${output}"`)
  console.log(`the installed tarballs work: ${output}`)
} finally {
  if (keep) console.log(`kept ${work}`)
  else rmSync(work, { recursive: true, force: true })
}
