import type { ReceivedReply, Simulator } from "@openpollen/simulator"
import { tokensIn } from "./tokens.js"

/** Resolves once every token has been answered at least once; rejects after timeoutMs naming what is missing. */
export const waitForTokens = (
  sim: Simulator,
  tokens: ReadonlyArray<string>,
  timeoutMs: number,
): Promise<void> =>
  new Promise((resolve, reject) => {
    const missing = new Set(tokens)
    let unsubscribe = () => {}
    const timer = setTimeout(() => {
      unsubscribe()
      const names = [...missing]
      reject(
        new Error(
          `after ${timeoutMs} ms, ${names.length} of ${tokens.length} messages are unanswered: ${names.slice(0, 30).join(", ")}`,
        ),
      )
    }, timeoutMs)
    const see = (reply: ReceivedReply) => {
      for (const found of tokensIn(reply.text)) missing.delete(found)
      if (missing.size > 0) return
      clearTimeout(timer)
      unsubscribe()
      resolve()
    }
    unsubscribe = sim.onReply(see)
    for (const reply of sim.replies) see(reply)
    if (missing.size === 0) {
      clearTimeout(timer)
      unsubscribe()
      resolve()
    }
  })
