import { WebhookExpired } from "@openpollen/core"
import { describe, expect, it } from "vitest"

describe("core ports", () => {
  it("tagged errors carry their fields", () => {
    const error = new WebhookExpired({ errcode: 300001 })
    expect(error._tag).toBe("WebhookExpired")
    expect(error.errcode).toBe(300001)
  })
})
