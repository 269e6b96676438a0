import { MemoryInboundJournal, makeMemoryJournalBacking } from "@openpollen/core/testing"
import { Layer, ManagedRuntime, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { accountsDeadLetters } from "../src/channel/accountsDeadLetters.js"
import type { ChannelStatus } from "../src/channel/ChannelStatus.js"
import { deadLetterAccess } from "../src/channel/DeadLetterAccess.js"
import { startGateway } from "../src/gateway/GatewayServer.js"

const status: ChannelStatus = { channel: "dingtalk", enabled: true, mode: "dingtalk", groupPolicy: "mention" }
const token = Redacted.make("t0ken")
const post = (url: string, body: unknown) =>
  fetch(url, {
    method: "POST",
    headers: { authorization: "Bearer t0ken", "content-type": "application/json" },
    body: JSON.stringify(body),
  })

describe("gateway API: dead letters", () => {
  it("lists them by ids only, retries one back into the journal and drops another", async () => {
    const backing = makeMemoryJournalBacking()
    const frame = (msgId: string) => ({
      frameMessageId: `f-${msgId}`,
      data: { msgId, conversationId: "cidPoison==", text: { content: "机密内容" } },
      receivedAt: 1_000,
    })
    backing.dead.set("7", { frame: frame("m-7"), deliveries: 6, deadAt: 2_000 })
    backing.dead.set("8", { frame: frame("m-8"), deliveries: 6, deadAt: 3_000 })
    const runtime = ManagedRuntime.make(MemoryInboundJournal.layer(backing))
    const gateway = await startGateway(
      { host: "127.0.0.1", port: 0, token },
      { status: async () => status, deadLetters: deadLetterAccess(runtime) },
    )
    try {
      const listed = await (await fetch(`${gateway.url}/api/deadletters`)).json()
      expect(listed).toEqual({
        count: 2,
        deadLetters: [
          {
            id: "7",
            msgId: "m-7",
            conversationId: "cidPoison==",
            receivedAt: 1_000,
            deadAt: 2_000,
            deliveries: 6,
          },
          {
            id: "8",
            msgId: "m-8",
            conversationId: "cidPoison==",
            receivedAt: 1_000,
            deadAt: 3_000,
            deliveries: 6,
          },
        ],
      })
      expect(JSON.stringify(listed)).not.toContain("机密内容")
      expect((await post(`${gateway.url}/api/deadletters/retry`, { id: "7" })).status).toBe(200)
      expect([...backing.rows.values()].map((row) => row.frame.frameMessageId)).toEqual(["f-m-7"])
      expect((await post(`${gateway.url}/api/deadletters/drop`, { id: "8" })).status).toBe(200)
      expect((await post(`${gateway.url}/api/deadletters/drop`, { id: "8" })).status).toBe(404)
      expect((await post(`${gateway.url}/api/deadletters/retry`, {})).status).toBe(400)
      expect(
        (
          await fetch(`${gateway.url}/api/deadletters/drop`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ id: "7" }),
          })
        ).status,
      ).toBe(401)
      expect(backing.dead.size).toBe(0)
    } finally {
      await gateway.close()
      await runtime.dispose()
    }
  })

  it("says so when the store keeps no dead letters, or no channel runs", async () => {
    const runtime = ManagedRuntime.make(Layer.empty)
    const memory = await startGateway(
      { host: "127.0.0.1", port: 0, token },
      { status: async () => status, deadLetters: deadLetterAccess(runtime) },
    )
    const disabled = await startGateway({ host: "127.0.0.1", port: 0, token }, { status: async () => status })
    try {
      const answer = await fetch(`${memory.url}/api/deadletters`)
      expect(answer.status).toBe(409)
      expect(await answer.json()).toEqual({ error: 'this store keeps no dead letters (store.kind "memory")' })
      expect((await fetch(`${disabled.url}/api/deadletters`)).status).toBe(409)
    } finally {
      await memory.close()
      await disabled.close()
      await runtime.dispose()
    }
  })

  it("with several accounts, takes ids that name their account; with one, bare ids too", async () => {
    const letterOf = (account: string) => ({
      frame: { frameMessageId: `f-${account}`, data: { msgId: `m-${account}` }, receivedAt: 1_000 },
      deliveries: 6,
      deadAt: 2_000,
    })
    const backings = { sales: makeMemoryJournalBacking(), support: makeMemoryJournalBacking() }
    backings.sales.dead.set("7", letterOf("sales"))
    backings.support.dead.set("7", letterOf("support"))
    const runtimes = {
      sales: ManagedRuntime.make(MemoryInboundJournal.layer(backings.sales)),
      support: ManagedRuntime.make(MemoryInboundJournal.layer(backings.support)),
    }
    const both = await startGateway(
      { host: "127.0.0.1", port: 0, token },
      {
        status: async () => status,
        deadLetters: accountsDeadLetters(
          (["sales", "support"] as const).map((name) => ({
            name,
            deadLetters: deadLetterAccess(runtimes[name]),
          })),
        ),
      },
    )
    const one = await startGateway(
      { host: "127.0.0.1", port: 0, token },
      {
        status: async () => status,
        deadLetters: accountsDeadLetters([{ name: "sales", deadLetters: deadLetterAccess(runtimes.sales) }]),
      },
    )
    try {
      const listed = (await (await fetch(`${both.url}/api/deadletters`)).json()) as {
        deadLetters: ReadonlyArray<{ id: string; account?: string }>
      }
      expect(listed.deadLetters.map(({ id, account }) => [id, account])).toEqual([
        ["sales/7", "sales"],
        ["support/7", "support"],
      ])
      const bare = await post(`${both.url}/api/deadletters/retry`, { id: "7" })
      expect(bare.status).toBe(400)
      expect(((await bare.json()) as { error: string }).error).toContain(
        "<account>/7, the account one of sales, support",
      )
      expect((await post(`${both.url}/api/deadletters/drop`, { id: "other/7" })).status).toBe(400)
      expect([backings.sales.dead.size, backings.support.dead.size]).toEqual([1, 1])
      expect((await post(`${both.url}/api/deadletters/retry`, { id: "support/7" })).status).toBe(200)
      expect([backings.sales.dead.size, backings.support.dead.size]).toEqual([1, 0])
      expect([...backings.support.rows.values()].map((row) => row.frame.frameMessageId)).toEqual([
        "f-support",
      ])

      const single = (await (await fetch(`${one.url}/api/deadletters`)).json()) as {
        deadLetters: ReadonlyArray<{ id: string; account?: string }>
      }
      expect(single.deadLetters.map(({ id, account }) => [id, account])).toEqual([["7", undefined]])
      expect((await post(`${one.url}/api/deadletters/drop`, { id: "sales/7" })).status).toBe(200)
      expect(backings.sales.dead.size).toBe(0)
      expect((await post(`${one.url}/api/deadletters/drop`, { id: "7" })).status).toBe(404)
    } finally {
      await both.close()
      await one.close()
      await runtimes.sales.dispose()
      await runtimes.support.dispose()
    }
  })
})
