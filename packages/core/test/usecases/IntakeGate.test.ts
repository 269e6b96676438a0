import { makeIntakeGate } from "@openpollen/core"
import { describe, expect, it } from "vitest"

const recorder = () => {
  const events: Array<string> = []
  const waiter = (name: string) =>
    [() => void events.push(`admit ${name}`), () => void events.push(`give up ${name}`)] as const
  return { events, waiter }
}

describe("IntakeGate", () => {
  it("is open below the bound, counting entered and the runner's backlog", () => {
    const gate = makeIntakeGate(3)
    gate.enter()
    gate.reportBacklog(1)
    expect(gate.isOpen()).toBe(true)
    gate.enter()
    expect(gate.isOpen()).toBe(false)
    expect(gate.backlog()).toBe(3)
  })

  it("admits held callbacks in arrival order, one per freed place, entering each before it runs", () => {
    const gate = makeIntakeGate(2)
    const { events, waiter } = recorder()
    gate.reportBacklog(2)
    expect(gate.waitForRoom(...waiter("a"))).toBe(true)
    expect(gate.waitForRoom(...waiter("b"))).toBe(true)
    expect(gate.waitForRoom(...waiter("c"))).toBe(true)
    expect(gate.isOpen()).toBe(false)
    gate.reportBacklog(1)
    expect(events).toEqual(["admit a"])
    expect(gate.backlog()).toBe(2)
    gate.reportBacklog(0)
    expect(events).toEqual(["admit a", "admit b"])
    expect(gate.isOpen()).toBe(false)
    gate.leave()
    expect(events).toEqual(["admit a", "admit b", "admit c"])
    // c's place is taken: the next one waits again.
    expect(gate.backlog()).toBe(2)
    expect(gate.isOpen()).toBe(false)
  })

  it("holds at most maxWaiting callbacks; past that it refuses and calls neither callback", () => {
    const gate = makeIntakeGate(1, { maxWaiting: 1 })
    const { events, waiter } = recorder()
    gate.reportBacklog(1)
    expect(gate.waitForRoom(...waiter("a"))).toBe(true)
    expect(gate.waitForRoom(...waiter("b"))).toBe(false)
    gate.reportBacklog(0)
    expect(events).toEqual(["admit a"])
  })

  it("gives up callbacks held longer than maxWaitMs instead of admitting them", () => {
    let now = 0
    const gate = makeIntakeGate(1, { maxWaiting: 4, maxWaitMs: 100, now: () => now })
    const { events, waiter } = recorder()
    gate.reportBacklog(1)
    gate.waitForRoom(...waiter("old"))
    now = 60
    gate.waitForRoom(...waiter("young"))
    now = 101
    gate.reportBacklog(0)
    expect(events).toEqual(["give up old", "admit young"])
  })

  it("does not let a held callback in while the runner takes one from the transport", () => {
    const gate = makeIntakeGate(2)
    const { events, waiter } = recorder()
    gate.enter()
    gate.enter()
    gate.waitForRoom(...waiter("a"))
    // The runner reports the backlog that includes the taken callback, then leaves: the total never drops.
    gate.reportBacklog(1)
    gate.leave()
    expect(events).toEqual([])
    expect(gate.backlog()).toBe(2)
  })

  it("keeps going when an admitted callback throws", () => {
    const gate = makeIntakeGate(2)
    const { events, waiter } = recorder()
    gate.reportBacklog(2)
    gate.waitForRoom(
      () => {
        throw new Error("transport broke")
      },
      () => undefined,
    )
    gate.waitForRoom(...waiter("b"))
    gate.reportBacklog(0)
    expect(events).toEqual(["admit b"])
  })
})
