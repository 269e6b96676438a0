#!/usr/bin/env node
// A dry run of the next release: `changeset version` on a throwaway copy of the repository, then checks that the
// pending changesets give the whole @openpollen family one sensible version (below 1.0.0 while the API settles,
// above every current version) and a CHANGELOG entry per package.
import { execFileSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const git = (args, cwd) =>
  execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
const manifests = (base) =>
  ["packages", "apps"].flatMap((group) =>
    readdirSync(join(base, group), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(base, group, entry.name, "package.json")))
      .map((entry) => ({
        dir: join(base, group, entry.name),
        manifest: JSON.parse(readFileSync(join(base, group, entry.name, "package.json"), "utf8")),
      })),
  )
const semver = (version) => version.split(".").map(Number)
const greater = (a, b) => {
  const [x, y] = [semver(a), semver(b)]
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0)
  return false
}

const copy = mkdtempSync(join(tmpdir(), "openpollen-changesets-"))
try {
  const files = git(["ls-files", "--cached", "--others", "--exclude-standard", "-z"], root)
    .split("\0")
    .filter((file) => file !== "" && existsSync(join(root, file)))
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true })
    cpSync(join(root, file), join(copy, file))
  }
  git(["init", "-q", "-b", "main"], copy)
  git(["add", "-A"], copy)
  git(
    ["-c", "user.name=dry-run", "-c", "user.email=dry-run@localhost", "commit", "-q", "-m", "dry run"],
    copy,
  )
  const pending = readdirSync(join(copy, ".changeset")).filter(
    (file) => file.endsWith(".md") && file !== "README.md",
  )
  if (pending.length === 0) {
    console.log("No pending changesets.")
    process.exit(0)
  }
  execFileSync(join(root, "node_modules", ".bin", "changeset"), ["version"], { cwd: copy, stdio: "inherit" })

  const before = new Map(manifests(root).map(({ manifest }) => [manifest.name, manifest.version]))
  const after = manifests(copy).filter(({ manifest }) => manifest.name.startsWith("@openpollen/"))
  const versions = new Set(after.map(({ manifest }) => manifest.version))
  const problems = []
  if (versions.size !== 1)
    problems.push(`the family should share one version, got ${[...versions].join(", ")}`)
  const [next = ""] = versions
  if (!/^0\.\d+\.\d+$/.test(next)) problems.push(`expected a 0.x version before the API settles, got ${next}`)
  for (const { dir, manifest } of after) {
    const previous = before.get(manifest.name) ?? "0.0.0"
    if (!greater(manifest.version, previous))
      problems.push(`${manifest.name}: ${previous} -> ${manifest.version} is not a bump`)
    const changelog = join(dir, "CHANGELOG.md")
    if (!existsSync(changelog) || !readFileSync(changelog, "utf8").includes(`## ${manifest.version}`))
      problems.push(`${manifest.name}: no CHANGELOG.md entry for ${manifest.version}`)
  }
  if (
    existsSync(join(copy, ".changeset")) &&
    readdirSync(join(copy, ".changeset")).some((f) => pending.includes(f))
  )
    problems.push("changeset version left pending changesets behind")
  if (problems.length > 0) {
    console.error(`Release dry run failed:\n${problems.map((p) => `  - ${p}`).join("\n")}`)
    process.exit(1)
  }
  console.log(`Release dry run: ${pending.length} changesets -> every @openpollen package at ${next}.`)
} finally {
  rmSync(copy, { recursive: true, force: true })
}
