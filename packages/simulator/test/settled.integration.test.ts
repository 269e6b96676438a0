import { type Simulator, startSimulator } from "@openpollen/simulator"
import { afterEach, describe, expect, it } from "vitest"

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

describe("the simulator's settled()", () => {
  it("waits for a request still in progress, so what it records is there afterwards", async () => {
    sim = await startSimulator()
    const user = sim.addUser({ nick: "A" })
    const dm = sim.dm(user)
    const { sessionWebhook } = await sim.sendText(dm, user, "hi")
    sim.setFault("webhook", { latencyMs: 300, times: 1 })
    const answered = fetch(sessionWebhook, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ msgtype: "text", text: { content: "late" } }),
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(sim.replies).toHaveLength(0)
    const started = Date.now()
    await sim.settled({ quietMs: 20 })
    expect(Date.now() - started).toBeGreaterThanOrEqual(200)
    expect(sim.replies.map((reply) => reply.text)).toEqual(["late"])
    expect((await answered).status).toBe(200)
  })

  it("rejects with the count in progress when a request never ends", async () => {
    sim = await startSimulator()
    const user = sim.addUser({ nick: "A" })
    const dm = sim.dm(user)
    const { sessionWebhook } = await sim.sendText(dm, user, "hi")
    sim.setFault("webhook", { hang: true, times: 1 })
    const controller = new AbortController()
    const hanging = fetch(sessionWebhook, { method: "POST", body: "{}", signal: controller.signal }).catch(
      () => undefined,
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    await expect(sim.settled({ timeoutMs: 200 })).rejects.toThrow("1 HTTP request(s) in progress")
    controller.abort()
    await hanging
  })
})
