import { describe, expect, it } from "vitest"
import { formatErrorLine } from "../src/logging/errorLine.js"

describe("formatErrorLine", () => {
  it("is a JSON log line when the logs are JSON, so stderr stays one format", () => {
    const line = formatErrorLine("openpollen: closing the gateway API failed", true, new Date(0))
    expect(JSON.parse(line)).toEqual({
      message: "openpollen: closing the gateway API failed",
      level: "ERROR",
      timestamp: "1970-01-01T00:00:00.000Z",
      annotations: {},
    })
  })

  it("is the plain message on a terminal", () => {
    expect(formatErrorLine("openpollen: shutdown did not finish in time", false)).toBe(
      "openpollen: shutdown did not finish in time",
    )
  })
})
