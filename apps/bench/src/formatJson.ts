// The repository's formatter (biome, line width 110) checks every committed JSON file, the published result included.
const LINE_WIDTH = 110

const inline = (value: unknown): string => {
  if (Array.isArray(value)) return value.length === 0 ? "[]" : `[${value.map(inline).join(", ")}]`
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
    return entries.length === 0
      ? "{}"
      : `{ ${entries.map(([key, inner]) => `${JSON.stringify(key)}: ${inline(inner)}`).join(", ")} }`
  }
  return JSON.stringify(value) ?? "null"
}

const entry = (key: string, value: unknown, indent: string, last: boolean): string => {
  const comma = last ? "" : ","
  const line = `${indent}${JSON.stringify(key)}: ${inline(value)}${comma}`
  if (line.length <= LINE_WIDTH || typeof value !== "object" || value === null || Array.isArray(value))
    return line
  const entries = Object.entries(value)
  return [
    `${indent}${JSON.stringify(key)}: {`,
    ...entries.map(([inner, innerValue], index) =>
      entry(inner, innerValue, `${indent}  `, index === entries.length - 1),
    ),
    `${indent}}${comma}`,
  ].join("\n")
}

/** A flat result object as the repository's formatter lays it out: a key a line, short values on one line. */
export const formatJson = (value: object): string => {
  const entries = Object.entries(value)
  return `{\n${entries.map(([key, inner], index) => entry(key, inner, "  ", index === entries.length - 1)).join("\n")}\n}\n`
}
