import { describe, expect, it } from "vitest"
import { FifoQueue } from "../../src/usecases/FifoQueue.js"

describe("FifoQueue", () => {
  it("gives items back in the order they came, across its compactions, and peeks without taking", () => {
    const queue = new FifoQueue<number>()
    const taken: Array<number> = []
    let next = 0
    // Take one for every two pushed, so the head passes the compaction threshold while items remain.
    for (let round = 0; round < 3_000; round += 1) {
      queue.push(next++)
      queue.push(next++)
      expect(queue.peek()).toBe(taken.length)
      taken.push(queue.shift() as number)
    }
    expect(queue.size).toBe(3_000)
    while (queue.size > 0) taken.push(queue.shift() as number)
    expect(taken).toEqual(Array.from({ length: 6_000 }, (_, index) => index))
    expect(queue.shift()).toBeUndefined()
    expect(queue.peek()).toBeUndefined()
  })
})
