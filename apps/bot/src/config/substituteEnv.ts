export interface UnsetVariable {
  readonly variable: string
  /** Key path of the value that referenced it, e.g. `channels.dingtalk.clientSecret`. */
  readonly path: string
}

export interface Substituted {
  readonly value: unknown
  /** Referenced without a default and not set: a configuration error. */
  readonly unset: ReadonlyArray<UnsetVariable>
  /** Not set, with a default that took its place (`${VAR:-…}`): named when a required key ends up empty. */
  readonly defaulted: ReadonlyArray<UnsetVariable>
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed config. A value that ends up empty counts as
 * absent (its key is dropped), so optional fields fall back to their defaults; the unset variables are reported with
 * the key that used them, so a required field can name the variable it was waiting for. A literal `""` written at
 * one of `keepEmptyAt` (key paths where empty means something, e.g. "stay silent") is kept.
 */
export const substituteEnv = (
  input: unknown,
  env: Readonly<Record<string, string | undefined>>,
  keepEmptyAt: ReadonlyArray<string> = [],
): Substituted => {
  const unset: Array<UnsetVariable> = []
  const defaulted: Array<UnsetVariable> = []
  const visit = (value: unknown, path: ReadonlyArray<string>): unknown => {
    if (typeof value === "string") {
      if (value === "" && keepEmptyAt.includes(path.join("."))) return value
      const replaced = value.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
        const found = env[name]
        if (found !== undefined && found !== "") return found
        if (fallback !== undefined) {
          defaulted.push({ variable: name, path: path.join(".") })
          return fallback
        }
        unset.push({ variable: name, path: path.join(".") })
        return ""
      })
      return replaced === "" ? undefined : replaced
    }
    if (Array.isArray(value))
      return value
        .map((item, index) => visit(item, [...path, String(index)]))
        .filter((item) => item !== undefined)
    if (typeof value === "object" && value !== null) {
      const out: Record<string, unknown> = {}
      for (const [key, item] of Object.entries(value)) {
        const visited = visit(item, [...path, key])
        if (visited !== undefined) out[key] = visited
      }
      return out
    }
    return value
  }
  return { value: visit(input, []), unset, defaulted }
}
