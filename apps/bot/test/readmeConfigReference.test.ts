import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { configJsonSchema } from "../src/commands/schema.js"

interface SchemaNode {
  readonly properties?: Record<string, SchemaNode>
  readonly additionalProperties?: boolean | SchemaNode
  readonly anyOf?: ReadonlyArray<SchemaNode>
}

/** Every leaf key path of the config schema; a map's keys are written `<key>`. */
const schemaKeys = (node: SchemaNode, path: ReadonlyArray<string> = []): ReadonlyArray<string> => {
  if (node.anyOf !== undefined) return node.anyOf.flatMap((branch) => schemaKeys(branch, path))
  if (node.properties !== undefined)
    return Object.entries(node.properties).flatMap(([key, child]) => schemaKeys(child, [...path, key]))
  if (typeof node.additionalProperties === "object")
    return schemaKeys(node.additionalProperties, [...path, "<key>"])
  return [path.join(".")]
}

/** `a.{b,c}` → `a.b`, `a.c`. */
const expandBraces = (key: string): ReadonlyArray<string> => {
  const match = /^(.*)\{([^}]+)\}(.*)$/.exec(key)
  if (match === null) return [key]
  const [, before = "", options = "", after = ""] = match
  return options.split(",").flatMap((option) => expandBraces(`${before}${option}${after}`))
}

/**
 * The keys the README's configuration table names: the first cell's backticked paths; a second path after ` / ` is
 * a sibling of the first (`channels.dingtalk.clientId` / `clientSecret`).
 */
const readmeKeys = (readme: string): ReadonlyArray<string> => {
  const section = readme.split("## Configuration reference")[1]?.split("\n## ")[0] ?? ""
  return section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .flatMap((line) => {
      const firstCell = line.split(" | ")[0] ?? ""
      const paths = [...firstCell.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? "")
      const [first = "", ...siblings] = paths
      const parent = first.split(".").slice(0, -1).join(".")
      return [first, ...siblings.map((sibling) => `${parent}.${sibling}`)]
    })
    .flatMap(expandBraces)
    .map((key) => key.replace(/<[^>]+>/g, "<key>"))
}

describe("the README's configuration reference", () => {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8")
  const documented = new Set(readmeKeys(readme))
  const accepted = new Set(schemaKeys(configJsonSchema() as SchemaNode).filter((key) => key !== "$schema"))

  it("names every key the config accepts", () => {
    expect([...accepted].filter((key) => !documented.has(key))).toEqual([])
  })

  it("names no key the config rejects", () => {
    expect([...documented].filter((key) => !accepted.has(key))).toEqual([])
  })
})
