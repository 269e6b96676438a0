import { decodeCallback, type InboundMessage } from "@openpollen/core"
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { loadFixture } from "../fixtures/loadFixture.js"

const decoded = (name: string): InboundMessage => {
  const result = decodeCallback(loadFixture(name))
  if (Result.isFailure(result)) throw new Error(`${name}: ${result.failure.path} ${result.failure.message}`)
  return result.success
}

const failurePath = (payload: unknown): string => {
  const result = decodeCallback(payload)
  return Result.isFailure(result) ? result.failure.path : "(decoded)"
}

describe("decodeCallback", () => {
  it("maps a DM text message", () => {
    const message = decoded("dm-text")
    expect(message).toMatchObject({
      messageId: "msgH8tY3kPq2WmR7xLz5vN0bcA==",
      type: "text",
      robotCode: "dingx7k2m9q4w1e8r3t6",
      conversation: { id: "cidV2p9kQx7LmT4wRb8nYz1sA==", kind: "dm" },
      sender: { id: "$:LWCP_v1:$d4Fq8Wn2Xr6TzK1mP9sYbA==", staffId: "0923451870123456", nick: "王芳" },
      text: "明天的周会几点开始？",
      mentionedBot: false,
      createdAt: 1764028800123,
      replyRoute: {
        sessionWebhook:
          "https://oapi.dingtalk.com/robot/sendBySession?session=3be1f0c47a9d4e2b8c6f5a1d0e9b7c34",
        expiresAt: 1764034200123,
      },
    })
    expect(message.attachments).toEqual([])
  })

  it("trims the space DingTalk leaves where it removed the @mention, and keeps the conversation id's case", () => {
    const message = decoded("group-text")
    expect(message.text).toBe("帮我看下这个报错")
    expect(message.conversation).toEqual({
      id: "cidK4wQ8zN1pR6tY2mX9vB3sLg==",
      kind: "group",
      title: "产品研发群",
    })
    expect(message.mentionedBot).toBe(true)
  })

  it("counts only the bot's own mention, never someone else's", () => {
    expect(decoded("group-not-mentioned").mentionedBot).toBe(false)
    const viaAtUsers = { ...loadFixture("group-not-mentioned") }
    viaAtUsers.atUsers = [{ dingtalkId: viaAtUsers.chatbotUserId }]
    const result = decodeCallback(viaAtUsers)
    expect(Result.isSuccess(result) && result.success.mentionedBot).toBe(true)
  })

  it("takes a picture's downloadCode, not pictureDownloadCode", () => {
    expect(decoded("picture").attachments).toEqual([{ kind: "picture", downloadCode: "mIo/N+zoQ2xKq==" }])
  })

  it("keeps richText text and pictures in order, strips the visible @bot part and dedupes picture codes", () => {
    const message = decoded("richText")
    expect(message.type).toBe("richText")
    expect(message.text).toBe("截图如下\n第二步报错")
    expect(message.attachments).toEqual([{ kind: "picture", downloadCode: "mIofR5Zw==" }])
  })

  it("uses the audio recognition as text and parses string durations", () => {
    const message = decoded("audio")
    expect(message.text).toBe("明天上午十点开会")
    expect(message.attachments).toEqual([
      { kind: "audio", downloadCode: "mIofA1==", recognition: "明天上午十点开会", durationMs: 4000 },
    ])
    expect(decoded("video").attachments).toEqual([
      { kind: "video", downloadCode: "mIofV7==", durationSeconds: 12, videoType: "mp4" },
    ])
  })

  it("keeps file metadata", () => {
    expect(decoded("file").attachments).toEqual([
      {
        kind: "file",
        downloadCode: "LJYYq3==",
        fileName: "季度报表.xlsx",
        fileId: "183920475612",
        spaceId: "2749103382",
      },
    ])
  })

  it("turns unknownMsgType and other types into an 'unknown' message, not an error", () => {
    expect(decoded("unknownMsgType")).toMatchObject({ type: "unknown", text: "[当前版本暂不支持该消息类型]" })
    const markdown = { ...loadFixture("dm-text"), msgtype: "interactiveCard", content: { anything: 1 } }
    expect(Result.isSuccess(decodeCallback(markdown))).toBe(true)
  })

  it("carries quoted replies as context", () => {
    expect(decoded("quoted-text").quoted).toEqual({
      msgId: "msgP0c7==",
      text: "部署脚本报错了",
      attachments: [],
    })
    expect(decoded("quoted-picture").quoted).toEqual({
      msgId: "msgP0c8==",
      text: "",
      attachments: [{ kind: "picture", downloadCode: "mIoQuoted==" }],
    })
    const legacy = {
      ...loadFixture("dm-text"),
      quoteMessage: { msgId: "old==", msgtype: "text", text: { content: "旧" } },
    }
    const result = decodeCallback(legacy)
    expect(Result.isSuccess(result) && result.success.quoted).toEqual({
      msgId: "old==",
      text: "旧",
      attachments: [],
    })
  })

  it("tolerates the extra fields of 2026 payloads", () => {
    expect(decoded("extras-2026").text).toBe("hi")
  })

  it("names the missing or mistyped required field", () => {
    const { msgId: _msgId, ...withoutMsgId } = loadFixture("dm-text")
    expect(failurePath(withoutMsgId)).toBe("msgId")
    expect(failurePath({ ...loadFixture("dm-text"), conversationType: "3" })).toBe("conversationType")
    expect(failurePath({ ...loadFixture("dm-text"), createAt: "yesterday" })).toBe("createAt")
    expect(failurePath({ ...loadFixture("picture"), content: { pictureDownloadCode: "x" } })).toBe(
      "content.downloadCode",
    )
    expect(failurePath({ ...loadFixture("dm-text"), text: undefined })).toBe("text")
    expect(failurePath(null)).toBe("(root)")
  })

  it("never throws, whatever the input", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        decodeCallback(value)
      }),
    )
    const required = [
      "msgId",
      "msgtype",
      "conversationId",
      "conversationType",
      "senderId",
      "chatbotUserId",
      "createAt",
    ]
    fc.assert(
      fc.property(fc.constantFrom(...required), fc.jsonValue(), (field, junk) => {
        const payload = { ...loadFixture("dm-text"), [field]: junk }
        const result = decodeCallback(payload)
        if (Result.isFailure(result)) expect(result.failure.path).toBe(field)
      }),
    )
  })
})
