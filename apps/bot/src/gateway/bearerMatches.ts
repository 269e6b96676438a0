import { createHash, timingSafeEqual } from "node:crypto"
import * as Redacted from "effect/Redacted"

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest()

/** The credential of an `Authorization: Bearer …` header (the scheme is case-insensitive), or undefined. */
export const bearerCredential = (header: string | undefined): string | undefined => {
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "")
  return match?.[1]
}

/** Whether the header carries one of the secrets; comparing digests keeps a secret's length out of the timing. */
export const bearerMatches = (
  header: string | undefined,
  secrets: ReadonlyArray<Redacted.Redacted<string>>,
): boolean => {
  const given = bearerCredential(header)
  if (given === undefined) return false
  const givenDigest = digest(given)
  let matched = false
  for (const secret of secrets)
    if (timingSafeEqual(givenDigest, digest(Redacted.value(secret)))) matched = true
  return matched
}
