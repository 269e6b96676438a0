import { join } from "node:path"
import * as Schema from "effect/Schema"

/** What a running `openpollen start` publishes for the CLI on the same machine: where it listens and its local token. */
export const RunState = Schema.Struct({
  pid: Schema.Int,
  gatewayUrl: Schema.String,
  sandboxUrl: Schema.optionalKey(Schema.String),
  /** Per-start secret the gateway requires on state-changing calls; the file is readable by its owner only. */
  token: Schema.String,
  startedAt: Schema.String,
})
export type RunState = typeof RunState.Type

export const runStatePath = (stateDir: string) => join(stateDir, "run.json")
