import type { ReceivedReply, Simulator } from "@openpollen/simulator"
import { expect } from "vitest"
import { tokensIn } from "./tokens.js"

export interface TokenReport {
  readonly missing: ReadonlyArray<string>
  /** `token ×count` for every token answered more than once. */
  readonly duplicated: ReadonlyArray<string>
}

/** How often each expected token occurs across the replies' texts (tokens nobody expected are ignored). */
export const countTokens = (
  replies: ReadonlyArray<ReceivedReply>,
  tokens: ReadonlyArray<string>,
): ReadonlyMap<string, number> => {
  const counts = new Map(tokens.map((token) => [token, 0]))
  for (const reply of replies)
    for (const found of tokensIn(reply.text)) {
      const count = counts.get(found)
      if (count !== undefined) counts.set(found, count + 1)
    }
  return counts
}

export const tokenReport = (
  replies: ReadonlyArray<ReceivedReply>,
  tokens: ReadonlyArray<string>,
): TokenReport => {
  const counts = [...countTokens(replies, tokens)]
  return {
    missing: counts.filter(([, count]) => count === 0).map(([token]) => token),
    duplicated: counts.filter(([, count]) => count > 1).map(([token, count]) => `${token} ×${count}`),
  }
}

const listed = (items: ReadonlyArray<string>) =>
  items.length <= 40 ? items.join(", ") : `${items.slice(0, 40).join(", ")}, … (${items.length - 40} more)`

/** Zero lost and zero duplicated replies: every token occurs in exactly one reply text, exactly once. */
export const expectExactlyOnce = (sim: Simulator, tokens: ReadonlyArray<string>): void => {
  const { missing, duplicated } = tokenReport(sim.replies, tokens)
  const problems = [
    missing.length > 0 ? `${missing.length} lost: ${listed(missing)}` : "",
    duplicated.length > 0 ? `${duplicated.length} duplicated: ${listed(duplicated)}` : "",
  ].filter((line) => line !== "")
  expect(
    problems,
    `${tokens.length} messages, ${sim.replies.length} replies recorded by the simulator`,
  ).toEqual([])
}
