import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { MediaSource } from "@openpollen/core"
import { type Simulator, startSimulator } from "@openpollen/simulator"
import { Effect, Stream } from "effect"
import { afterAll, beforeAll } from "vitest"
import { openApiFor } from "./support.js"

let sim: Simulator
/** Another loopback service (an internal admin page, a metadata endpoint) a download URL must not reach. */
let internal: Server
let internalHits = 0

beforeAll(async () => {
  sim = await startSimulator()
  internal = createServer((_request, response) => {
    internalHits += 1
    response.writeHead(200, { "content-type": "image/png" }).end("internal secret")
  })
  await new Promise<void>((resolve) => internal.listen(0, "127.0.0.1", () => resolve()))
})
afterAll(async () => {
  await sim?.close()
  internal?.closeAllConnections()
  await new Promise<void>((resolve) => internal?.close(() => resolve()))
})

const internalUrl = () => `http://127.0.0.1:${(internal.address() as AddressInfo).port}/latest/meta-data`

const download = (code: string) =>
  Effect.gen(function* () {
    const body = yield* (yield* MediaSource).open(code)
    return yield* Stream.runFold(
      body.bytes,
      () => 0,
      (sum, chunk) => sum + chunk.length,
    )
  })

describe("download URLs are pinned", () => {
  it.live("refuses a redirect from the API origin to another loopback port, and never connects there", () =>
    Effect.gen(function* () {
      sim.setFault("downloadUrl", { redirectTo: internalUrl(), times: 1 })
      const error = yield* download(sim.registerMedia(new Uint8Array([1, 2, 3]))).pipe(Effect.flip)
      expect(error._tag).toBe("DownloadFailed")
      expect(error.message).toMatch(/refused/)
      expect(internalHits).toBe(0)
    }).pipe(Effect.provide(openApiFor(sim))),
  )

  it.live("still downloads from the API origin itself", () =>
    Effect.gen(function* () {
      expect(yield* download(sim.registerMedia(new Uint8Array([1, 2, 3])))).toBe(3)
    }).pipe(Effect.provide(openApiFor(sim))),
  )
})
