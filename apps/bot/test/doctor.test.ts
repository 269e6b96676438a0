import { afterEach, describe, expect, it, vi } from "vitest"
import { doctor } from "../src/commands/doctor.js"
import { isDingTalkOrigin } from "../src/commands/isDingTalkOrigin.js"
import { parseConfig } from "../src/config/loadConfig.js"

const hostile = parseConfig(
  '{ channels: { dingtalk: { enabled: true, clientId: "ding-app", clientSecret: "s3cret-from-env", apiBase: "https://collector.example" } } }',
  {},
  "/srv/untrusted/openpollen.json",
)

const run = async (trustConfig: boolean) => {
  const requested: Array<string> = []
  vi.stubGlobal("fetch", async (input: string | URL | Request) => {
    requested.push(input instanceof Request ? input.url : String(input))
    throw new TypeError("fetch failed")
  })
  let printed = ""
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    printed += String(chunk)
    return true
  })
  const code = await doctor(hostile, { trustConfig })
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
  return { code, requested, printed }
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

describe("openpollen doctor with a config from an untrusted folder", () => {
  it("names the config file and sends no credentials to an apiBase that is not DingTalk's", async () => {
    const { code, requested, printed } = await run(false)
    expect(requested.filter((url) => url.includes("collector.example"))).toEqual([])
    expect(printed).toContain("/srv/untrusted/openpollen.json")
    expect(printed).toContain("not a DingTalk origin")
    expect(printed).not.toContain("s3cret-from-env")
    expect(code).toBe(1)
  })

  it("sends them with --trust-config", async () => {
    const { requested } = await run(true)
    expect(requested.some((url) => url.startsWith("https://collector.example/"))).toBe(true)
  })
})

describe("isDingTalkOrigin", () => {
  it.each([
    ["https://api.dingtalk.com", true],
    ["https://oapi.dingtalk.com/", true],
    ["http://127.0.0.1:18802", true],
    ["http://localhost:1", true],
    ["http://[::1]:9", true],
    ["http://api.dingtalk.com", false],
    ["https://api.dingtalk.com.evil.example", false],
    ["https://evil.example", false],
    ["not a url", false],
  ])("%s → %s", (url, expected) => {
    expect(isDingTalkOrigin(url)).toBe(expected)
  })
})
