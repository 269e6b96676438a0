import { randomBytes } from "node:crypto"

/** The name of a file this store writes: its creation time and 16 random hex digits, e.g. `1767225600000-9f…e1`. */
export const generatedName = (now: number) => `${now}-${randomBytes(8).toString("hex")}`

const FINISHED = /^\d{1,16}-[0-9a-f]{16}\.[a-z0-9]{1,10}$/
const IN_PROGRESS = /^\.\d{1,16}-[0-9a-f]{16}\.part$/

/**
 * Whether a name in the uploads folder is one this store wrote (finished or still downloading): retention touches
 * nothing else, whatever else an operator keeps there.
 */
export const storedNameKind = (name: string): "finished" | "partial" | undefined =>
  FINISHED.test(name) ? "finished" : IN_PROGRESS.test(name) ? "partial" : undefined
