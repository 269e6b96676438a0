import { backoffDelay, StreamClient, type StreamClientHooks } from "@openpollen/stream"
import fc from "fast-check"
import { describe, expect, it, vi } from "vitest"

const makeClient = () => {
  const calls: Array<string> = []
  const hooks: StreamClientHooks = {
    onFrame: () => calls.push("frame"),
    onCallback: (id, data, ack) => {
      calls.push(`callback:${id}:${data}`)
      ack()
      ack()
    },
    onServerDisconnect: (reason) => calls.push(`disconnect:${reason}`),
    onClosed: () => calls.push("closed"),
    onBadFrame: (why) => calls.push(`bad:${why}`),
    onAck: () => calls.push("ack-counted"),
  }
  const client = new StreamClient(
    {
      clientId: "id",
      clientSecret: "secret",
      apiBase: "http://127.0.0.1:1",
      gatewayTimeoutMs: 100,
      userAgent: "t",
    },
    hooks,
  )
  const sent: Array<Record<string, unknown>> = []
  vi.spyOn(client, "send").mockImplementation((messageId, value) => {
    calls.push(`ack:${messageId}`)
    sent.push({ messageId, value })
  })
  return { client, calls, sent }
}

const callback = (messageId: string, data: string) =>
  JSON.stringify({
    specVersion: "1.0",
    type: "CALLBACK",
    headers: { topic: "/v1.0/im/bot/messages/get", messageId, contentType: "application/json", time: "1" },
    data,
  })

describe("StreamClient", () => {
  it("ACKs a callback exactly once, with its own messageId, when the consumer acks it", () => {
    const { client, calls, sent } = makeClient()
    client.onDownStream(callback("m-1", '{"msgId":"x"}'))
    expect(calls).toEqual(["frame", 'callback:m-1:{"msgId":"x"}', "ack:m-1", "ack-counted"])
    expect(sent).toEqual([{ messageId: "m-1", value: { response: null } }])
  })

  it("ACKs callbacks of other topics at once, without handing them on", () => {
    const { client, calls, sent } = makeClient()
    client.onDownStream(
      JSON.stringify({
        type: "CALLBACK",
        headers: { topic: "/v1.0/card/instances/callback", messageId: "c-1" },
        data: "{}",
      }),
    )
    expect(calls).toEqual(["frame", "ack:c-1", "ack-counted"])
    expect(sent).toEqual([{ messageId: "c-1", value: { response: null } }])
  })

  it("counts malformed frames and never throws", () => {
    const { client, calls } = makeClient()
    expect(() => client.onDownStream("{not json")).not.toThrow()
    expect(() => client.onDownStream(JSON.stringify({ type: "CALLBACK" }))).not.toThrow()
    expect(() => client.onDownStream("null")).not.toThrow()
    expect(() =>
      client.onDownStream(
        JSON.stringify({ type: "CALLBACK", headers: { topic: "/v1.0/im/bot/messages/get" }, data: "{}" }),
      ),
    ).not.toThrow()
    expect(calls.filter((call) => call.startsWith("bad:"))).toHaveLength(4)
  })

  it("survives a consumer that throws", () => {
    const { client } = makeClient()
    ;(client as unknown as { hooks: StreamClientHooks }).hooks = {
      ...(client as unknown as { hooks: StreamClientHooks }).hooks,
      onCallback: () => {
        throw new Error("consumer exploded")
      },
    }
    expect(() => client.onDownStream(callback("m-2", "{}"))).not.toThrow()
  })

  it("reports SYSTEM disconnect with its reason", () => {
    const { client, calls } = makeClient()
    client.onDownStream(
      JSON.stringify({
        type: "SYSTEM",
        headers: { topic: "disconnect", messageId: "d" },
        data: '{"reason":"connection is expired"}',
      }),
    )
    expect(calls).toContain("disconnect:connection is expired")
  })

  it("keeps backoff within [ceiling/2, ceiling] and under the cap", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, random) => {
          const delay = backoffDelay(attempt, 1_000, 60_000, () => random)
          const ceiling = Math.min(60_000, 1_000 * 2 ** attempt)
          expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2))
          expect(delay).toBeLessThanOrEqual(ceiling)
        },
      ),
    )
    expect(backoffDelay(0, 1_000, 60_000, () => 0)).toBe(500)
    expect(backoffDelay(10, 1_000, 60_000, () => 0.999999)).toBe(60_000)
  })
})
