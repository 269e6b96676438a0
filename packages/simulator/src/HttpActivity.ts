import type { Server } from "node:http"

/** Tracks the simulator's HTTP requests in progress, so a test can wait until everything sent to it was handled. */
export const trackHttpActivity = (server: Server) => {
  let inProgress = 0
  let lastChange = Date.now()
  server.on("request", (_request, response) => {
    inProgress += 1
    lastChange = Date.now()
    response.once("close", () => {
      inProgress -= 1
      lastChange = Date.now()
    })
  })
  return {
    /** Resolves once no request has been in progress for `quietMs`; rejects after `timeoutMs`. */
    settled: async (quietMs: number, timeoutMs: number): Promise<void> => {
      const deadline = Date.now() + timeoutMs
      while (inProgress > 0 || Date.now() - lastChange < quietMs) {
        if (Date.now() > deadline)
          throw new Error(
            `the simulator still had ${inProgress} HTTP request(s) in progress after ${timeoutMs} ms`,
          )
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    },
  }
}
