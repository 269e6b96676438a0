import type { Simulator } from "@openpollen/simulator"
import type { BotProcess } from "../../e2e/harness/BotProcess.js"
import { botStatus, unfinished } from "./botStatus.js"

/**
 * Waits until nothing more can arrive: every bot has finished every callback it received, and for `quietMs` the
 * simulator pushed, redelivered and recorded nothing new. Pass a `quietMs` above the redelivery timeout, so a
 * pending redelivery would have fired inside the window.
 */
export const waitForQuiet = async (
  sim: Simulator,
  bots: ReadonlyArray<BotProcess>,
  options: { readonly quietMs: number; readonly timeoutMs: number },
): Promise<void> => {
  const deadline = Date.now() + options.timeoutMs
  let last = ""
  let since = Date.now()
  while (true) {
    const statuses = await Promise.all(bots.map(botStatus))
    const busy = statuses.reduce((sum, status) => sum + unfinished(status), 0)
    const { callbacksPushed, redeliveries } = sim.counters
    const fingerprint = [
      callbacksPushed,
      redeliveries,
      sim.replies.length,
      ...statuses.map((status) => status.stream?.callbacks ?? 0),
    ].join(":")
    if (fingerprint !== last || busy > 0) {
      last = fingerprint
      since = Date.now()
    } else if (Date.now() - since >= options.quietMs) return
    if (Date.now() > deadline)
      throw new Error(
        `still busy after ${options.timeoutMs} ms: ${busy} message(s) unfinished, counters ${fingerprint}`,
      )
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
