import { describe, expect, it } from "vitest"
import { makeRedactor } from "../src/logging/redact.js"

describe("makeRedactor", () => {
  const redact = makeRedactor(["s3cr3t-client-secret", "abc"])

  it("masks every known secret of four characters or more, wherever it appears", () => {
    expect(redact("failed with s3cr3t-client-secret twice: s3cr3t-client-secret")).toBe(
      "failed with *** twice: ***",
    )
    expect(redact("abc is too short to be a secret")).toBe("abc is too short to be a secret")
  })

  it.each([
    [
      "https://oapi.dingtalk.com/robot/sendBySession?session=3be1f0c4&x=1",
      "https://oapi.dingtalk.com/robot/sendBySession?session=***&x=1",
    ],
    ["GET /gettoken?appkey=k&appsecret=v4lue", "GET /gettoken?appkey=k&appsecret=***"],
    ["wss://gw/connect?ticket=tk-123", "wss://gw/connect?ticket=***"],
    ["POST /x?ACCESS_TOKEN=tok", "POST /x?ACCESS_TOKEN=***"],
    ['{"clientSecret":"v","other":"kept"}', '{"clientSecret":"***","other":"kept"}'],
    ['{"accessToken": "v"}', '{"accessToken": "***"}'],
    ['{"apiKey":"sk-1"}', '{"apiKey":"***"}'],
    ['{"authorization":"Basic x"}', '{"authorization":"***"}'],
    ['{"x-acs-dingtalk-access-token":"v"}', '{"x-acs-dingtalk-access-token":"***"}'],
    ["x-acs-dingtalk-access-token: tok, next", "x-acs-dingtalk-access-token: ***, next"],
    ["Authorization: Bearer eyJhbGciOi.J9", "Authorization: Bearer ***"],
  ])("masks a secret-shaped fragment: %s", (line, expected) => {
    expect(redact(line)).toBe(expected)
  })

  it("leaves a line without secrets as it is", () => {
    const line = '{"message":"replied","annotations":{"msgId":"msgH8tY3","conversation":"cidV2p9k"}}'
    expect(redact(line)).toBe(line)
  })
})
