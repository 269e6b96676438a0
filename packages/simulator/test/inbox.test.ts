import { describe, expect, it } from "vitest"
import { dropOldest } from "../src/dropOldest.js"
import { Inbox, MAX_KEPT_REPLIES } from "../src/Inbox.js"
import type { ReceivedReply } from "../src/SimulatorApi.js"

const reply = (index: number): ReceivedReply => ({
  via: "webhook",
  clientId: "app",
  conversationId: `cid${index % 1000}`,
  msgKey: "sampleMarkdown",
  text: `reply ${index}`,
  atUserIds: [],
  receivedAt: index,
  body: {},
})

const cpuMs = (run: () => void) => {
  const before = process.cpuUsage()
  run()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000
}

describe("Inbox", () => {
  it("keeps the latest replies in arrival order past its bound, at a cost that does not grow with it", () => {
    const inbox = new Inbox()
    const total = MAX_KEPT_REPLIES + 60_000
    // Trimming one reply per reply cost about 25 s of CPU here: each trim moved the whole array.
    const spent = cpuMs(() => {
      for (let index = 0; index < total; index++) inbox.record(reply(index))
    })
    expect(spent).toBeLessThan(5_000)
    expect(inbox.all.length).toBeLessThanOrEqual(MAX_KEPT_REPLIES)
    expect(inbox.all.length).toBeGreaterThanOrEqual(MAX_KEPT_REPLIES * 0.9)
    expect(inbox.all.at(-1)?.text).toBe(`reply ${total - 1}`)
    const first = Number(inbox.all[0]?.text.split(" ")[1])
    expect(inbox.all.map((kept) => kept.text)).toEqual(
      Array.from({ length: inbox.all.length }, (_, offset) => `reply ${first + offset}`),
    )
  })
})

describe("dropOldest", () => {
  it("does nothing up to the bound, then removes the oldest tenth of it at once and returns them", () => {
    const list = Array.from({ length: 10 }, (_, index) => index)
    expect(dropOldest(list, 10)).toEqual([])
    list.push(10)
    expect(dropOldest(list, 10)).toEqual([0, 1])
    expect(list).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10])
  })
})
