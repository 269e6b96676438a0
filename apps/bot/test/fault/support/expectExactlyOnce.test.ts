import type { ReceivedReply } from "@openpollen/simulator"
import { describe, expect, it } from "vitest"
import { tokenReport } from "./expectExactlyOnce.js"
import { token, tokensIn } from "./tokens.js"

const reply = (text: string): ReceivedReply => ({
  via: "webhook",
  clientId: "app",
  conversationId: "cid",
  msgKey: "markdown",
  text,
  atUserIds: [],
  receivedAt: 0,
  body: {},
})

describe("tokenReport", () => {
  it("names lost and duplicated tokens, counting every occurrence across replies", () => {
    const tokens = [token("x", 1), token("x", 2), token("x", 3), token("x", 10)]
    const replies = [
      reply(`a ${token("x", 1)}`),
      reply(`${token("x", 2)} and ${token("x", 2)}`),
      reply(token("x", 10)),
    ]
    expect(tokenReport(replies, tokens)).toEqual({ missing: ["tok-x-00003"], duplicated: ["tok-x-00002 ×2"] })
  })

  it("does not mistake a token for a prefix of a longer one", () => {
    expect(tokensIn("tok-x-000011 tok-x-00001\n\n@staff")).toEqual(["tok-x-00001"])
    expect(tokenReport([reply("tok-x-000011")], [token("x", 1)]).missing).toEqual(["tok-x-00001"])
  })
})
