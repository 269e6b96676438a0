import { MemoryTokenStore } from "@openpollen/core"
import { OpenApi, type OpenApiConfig } from "@openpollen/openapi"
import type { Simulator } from "@openpollen/simulator"
import { Layer, Redacted } from "effect"

export const openApiFor = (sim: Simulator, overrides: Partial<OpenApiConfig> = {}) =>
  OpenApi.layer({
    clientId: sim.app.clientId,
    clientSecret: Redacted.make(sim.app.clientSecret),
    apiBase: sim.url,
    requestTimeoutMs: 5_000,
    ...overrides,
  }).pipe(Layer.provide(MemoryTokenStore.layer))
