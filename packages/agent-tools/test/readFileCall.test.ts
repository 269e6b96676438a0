import { describe, expect, it } from "vitest"
import { MAX_TOOL_CALLS, readFileCall } from "../src/index.js"

describe("readFileCall", () => {
  it("reads the path of a read_file call with a string path", () => {
    expect(readFileCall(1, "read_file", '{"path":"/uploads/a.txt"}')).toEqual({ path: "/uploads/a.txt" })
    expect(readFileCall(MAX_TOOL_CALLS, "read_file", '{"path":"/a"}')).toEqual({ path: "/a" })
  })

  it("refuses a call past the per-reply limit, even a valid one", () => {
    expect(readFileCall(MAX_TOOL_CALLS + 1, "read_file", '{"path":"/a"}')).toEqual({
      refusal: "no more tool calls in this reply",
    })
  })

  it("refuses another tool's name and input without a string path", () => {
    const expected = { refusal: "expected { path: string }" }
    expect(readFileCall(1, "write_file", '{"path":"/a"}')).toEqual(expected)
    expect(readFileCall(1, "read_file", '{"path":3}')).toEqual(expected)
    expect(readFileCall(1, "read_file", "")).toEqual(expected)
    expect(readFileCall(1, "read_file", "{not json")).toEqual(expected)
  })
})
