import { maskRedisUrl, parseRedisUrl } from "@openpollen/redis"
import { describe, expect, it } from "vitest"

describe("parseRedisUrl", () => {
  it("names host:port, with Redis's default port", () => {
    expect(parseRedisUrl("redis://:pw@10.0.0.5:6380/2")?.where).toBe("10.0.0.5:6380")
    expect(parseRedisUrl("rediss://cache.internal")?.where).toBe("cache.internal:6379")
    expect(parseRedisUrl("redis://[::1]:7000")?.where).toBe("[::1]:7000")
  })

  it("refuses what is not a redis URL", () => {
    expect(parseRedisUrl("http://cache.internal")).toBeUndefined()
    expect(parseRedisUrl("cache.internal:6379")).toBeUndefined()
    expect(parseRedisUrl("")).toBeUndefined()
  })
})

describe("maskRedisUrl", () => {
  it("masks the password and keeps the user, host, port and database", () => {
    expect(maskRedisUrl("redis://bot:s3cr%40t@cache:6380/1")).toBe("redis://bot:***@cache:6380/1")
    expect(maskRedisUrl("redis://:s3cret@cache")).toBe("redis://:***@cache")
  })

  it("masks a lone userinfo part, which may be a password written without its colon", () => {
    expect(maskRedisUrl("redis://s3cret@cache:6379")).toBe("redis://***@cache:6379")
  })

  it("leaves a URL without credentials alone and never echoes an invalid one", () => {
    expect(maskRedisUrl("redis://cache:6379")).toBe("redis://cache:6379")
    expect(maskRedisUrl("not a url with s3cret")).toBe("<invalid redis url>")
  })
})
