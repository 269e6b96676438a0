import type { BotProcess } from "../../e2e/harness/BotProcess.js"

/** Environment that opens the bot's inspector on a free loopback port, so a test can force a full GC. */
export const INSPECTABLE = { NODE_OPTIONS: "--inspect=127.0.0.1:0" }

/**
 * Forces a full garbage collection in a bot started with INSPECTABLE (HeapProfiler.collectGarbage over the
 * inspector protocol), so RSS read afterwards shows what the bot retains rather than what V8 has not swept yet.
 */
export const collectGarbage = async (bot: BotProcess): Promise<void> => {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(bot.output())?.[1]
  if (url === undefined) throw new Error("the bot's inspector is not listening; start it with INSPECTABLE")
  const socket = new WebSocket(url)
  try {
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true })
      socket.addEventListener("error", () => reject(new Error(`cannot reach the inspector at ${url}`)), {
        once: true,
      })
    })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("HeapProfiler.collectGarbage got no answer")), 30_000)
      socket.addEventListener("message", (event) => {
        const answer = JSON.parse(String(event.data)) as { id?: number; error?: { message?: string } }
        if (answer.id !== 1) return
        clearTimeout(timer)
        if (answer.error === undefined) resolve()
        else reject(new Error(`HeapProfiler.collectGarbage failed: ${answer.error.message ?? "unknown"}`))
      })
      socket.send(JSON.stringify({ id: 1, method: "HeapProfiler.collectGarbage" }))
    })
  } finally {
    socket.close()
  }
}
