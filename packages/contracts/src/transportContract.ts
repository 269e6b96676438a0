import { describe, expect, it } from "@effect/vitest"
import { Transport } from "@openpollen/core"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

export interface TransportHarness<E> {
  readonly layer: Layer.Layer<Transport, E>
  /** Makes DingTalk push a robot callback carrying `data` to the transport. */
  readonly deliver: (data: Readonly<Record<string, unknown>>) => Promise<void>
}

const TAGS = ["Idle", "Connecting", "Connected", "BackingOff", "Stopped"]
const payload = (n: number) => ({
  msgId: `msg-${n}-${Math.random().toString(36).slice(2)}`,
  text: { content: `第${n}条` },
})

/**
 * A Transport hands on each received callback once, with its data parsed; reports its state now and at each
 * change; and on `stop` ends `frames` after what it had received.
 */
export const transportContract = <E>(name: string, makeHarness: () => TransportHarness<E>) =>
  describe(`Transport contract: ${name}`, () => {
    it.live("stateChanges starts with the current state", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const transport = yield* Transport
        const first = yield* Stream.runHead(transport.stateChanges)
        const now = yield* transport.state
        expect(first._tag === "Some" ? TAGS.includes(first.value._tag) : false).toBe(true)
        expect(TAGS).toContain(now._tag)
      }).pipe(Effect.provide(harness.layer))
    })

    it.live("hands on each callback with a frameMessageId, its parsed data and when it arrived", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const transport = yield* Transport
        const sent = [payload(1), payload(2)]
        const before = Date.now()
        for (const data of sent) yield* Effect.promise(() => harness.deliver(data))
        const frames = yield* Stream.runCollect(Stream.take(transport.frames, 2))
        expect(frames.map((frame) => frame.data)).toEqual(sent)
        for (const frame of frames) {
          expect(frame.frameMessageId).toMatch(/.+/)
          expect(frame.receivedAt).toBeGreaterThanOrEqual(before - 1_000)
        }
        expect(new Set(frames.map((frame) => frame.frameMessageId)).size).toBe(2)
      }).pipe(Effect.provide(harness.layer))
    })

    it.live("stop ends frames after what was received, can be called twice, and leaves it Stopped", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const transport = yield* Transport
        const data = payload(3)
        yield* Effect.promise(() => harness.deliver(data))
        const [first] = yield* Stream.runCollect(Stream.take(transport.frames, 1))
        expect(first?.data).toEqual(data)
        yield* transport.stop
        yield* transport.stop
        expect(yield* Stream.runCollect(transport.frames)).toEqual([])
        expect((yield* transport.state)._tag).toBe("Stopped")
      }).pipe(Effect.provide(harness.layer))
    })
  })
