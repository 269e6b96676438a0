import { describe, expect, it } from "vitest"
import { replaceMarkerBlock } from "../src/markerBlock.js"

describe("replaceMarkerBlock", () => {
  const document = "# Title\n<!-- bench:latest-json -->\nold line\n<!-- /bench:latest-json -->\nafter\n"

  it("replaces what stands between the markers and keeps everything else", () => {
    expect(replaceMarkerBlock(document, "bench:latest-json", '{"a":1}\n')).toBe(
      '# Title\n<!-- bench:latest-json -->\n{"a":1}\n<!-- /bench:latest-json -->\nafter\n',
    )
  })

  it("fails when a marker is missing", () => {
    expect(() => replaceMarkerBlock("# Title\n", "bench:latest-json", "x")).toThrow(
      /no "<!-- bench:latest-json -->"/,
    )
    expect(() => replaceMarkerBlock("<!-- bench:latest-json -->\n", "bench:latest-json", "x")).toThrow()
  })
})
