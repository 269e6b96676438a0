import { transportContract } from "@openpollen/contracts"
import { startSimulator } from "@openpollen/simulator"
import { StreamTransport } from "@openpollen/stream"
import { Effect, Layer, Redacted } from "effect"

transportContract("StreamTransport against the simulator", () => {
  const simulator = startSimulator()
  return {
    layer: Layer.unwrap(
      Effect.acquireRelease(
        Effect.promise(() => simulator),
        (sim) => Effect.promise(() => sim.close()),
      ).pipe(
        Effect.map((sim) =>
          StreamTransport.layer({
            clientId: sim.app.clientId,
            clientSecret: Redacted.make(sim.app.clientSecret),
            apiBase: sim.url,
          }),
        ),
      ),
    ),
    deliver: async (data) => {
      const sim = await simulator
      await (await sim.sendRaw(data)).acked
    },
  }
})
