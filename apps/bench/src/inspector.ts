/**
 * Forces a full garbage collection in a process started with `--inspect` (HeapProfiler.collectGarbage over the
 * inspector protocol), so RSS read afterwards shows what the process retains rather than what V8 has not swept yet.
 */
export const forceFullGc = async (inspectorUrl: string): Promise<void> => {
  const socket = new WebSocket(inspectorUrl)
  try {
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true })
      socket.addEventListener("error", () => reject(new Error("cannot reach the bot's inspector")), {
        once: true,
      })
    })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("HeapProfiler.collectGarbage got no answer")), 30_000)
      socket.addEventListener("message", (event) => {
        const answer = JSON.parse(String(event.data)) as { id?: number; error?: unknown }
        if (answer.id !== 1) return
        clearTimeout(timer)
        if (answer.error === undefined) resolve()
        else reject(new Error("HeapProfiler.collectGarbage failed"))
      })
      socket.send(JSON.stringify({ id: 1, method: "HeapProfiler.collectGarbage" }))
    })
  } finally {
    socket.close()
  }
}
