import { describe, expect, it } from "@effect/vitest"
import { FRIENDLY_REPLIES, MemoryCooldown, REFUSAL_WINDOW_MS } from "@openpollen/core"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { handle, makeWorld, payload, type World } from "./world.js"

const withCooldown = (world: World) => Effect.provide(Layer.merge(world.layer, MemoryCooldown.layer()))
const GROUP = "cidK4wQ8zN1pR6tY2mX9vB3sLg=="

describe("handleMessage: every message kind", () => {
  it.effect(
    "downloads a quoted picture like a direct one and gives it to the agent, marked as quoted",
    () => {
      const world = makeWorld()
      world.media.register("mIoQuoted==", new Uint8Array([0x89, 0x50, 0x4e, 0x47]), "image/png")
      return Effect.gen(function* () {
        expect(yield* handle(payload("quoted-picture"))).toMatchObject({ _tag: "Replied", kind: "answer" })
        expect(world.agent.requests[0]).toMatchObject({
          text: "看下这张",
          attachments: [{ kind: "picture", path: "/memory/uploads/file-1.bin", quoted: true }],
        })
      }).pipe(withCooldown(world))
    },
  )

  it.effect("puts the message's own files before the quoted ones", () => {
    const world = makeWorld()
    world.media.register("own==", new Uint8Array([1]))
    world.media.register("LJYQuoted/File+1==", new Uint8Array([2]))
    const quoted = payload("quoted-file")
    return Effect.gen(function* () {
      yield* handle({ ...quoted, msgtype: "picture", content: { downloadCode: "own==" } })
      const attachments = world.agent.requests[0]?.attachments ?? []
      expect(attachments.map((attachment) => attachment.quoted ?? false)).toEqual([false, true])
      expect(attachments[1]).toMatchObject({ kind: "file", fileName: "季度报表.xlsx" })
    }).pipe(withCooldown(world))
  })

  it.effect("apologises when a quoted file cannot be downloaded", () => {
    const world = makeWorld()
    return Effect.gen(function* () {
      expect(yield* handle(payload("quoted-file"))).toMatchObject({ _tag: "Replied", kind: "apology" })
      expect(world.agent.requests).toHaveLength(0)
    }).pipe(withCooldown(world))
  })

  it.effect("hands markdown, chatRecord and interactiveCard text to the agent", () => {
    const world = makeWorld()
    return Effect.gen(function* () {
      for (const name of ["markdown", "chatRecord", "interactiveCard"]) yield* handle(payload(name))
      expect(world.agent.requests.map((request) => request.text.split("\n")[0])).toEqual([
        "## 本周进展",
        "王芳: 部署脚本报错了",
        "Q4 路线图",
      ])
    }).pipe(withCooldown(world))
  })

  it.effect("answers a type it cannot read with the default one-liner, without asking the agent", () => {
    const world = makeWorld()
    return Effect.gen(function* () {
      expect(yield* handle(payload("unknownMsgType"))).toMatchObject({ _tag: "Replied", kind: "notice" })
      expect(world.webhook.sent[0]?.message.text).toBe(FRIENDLY_REPLIES.unsupportedMessage)
      expect(world.agent.requests).toHaveLength(0)
    }).pipe(withCooldown(world))
  })

  it.effect("uses the configured unsupportedMessageReply, and stays silent when it is empty", () => {
    const custom = makeWorld({ unsupportedMessageReply: "只收文字" })
    const silent = makeWorld({ unsupportedMessageReply: "" })
    return Effect.gen(function* () {
      yield* handle(payload("unknownMsgType")).pipe(withCooldown(custom))
      expect(custom.webhook.sent[0]?.message.text).toBe("只收文字")
      const outcome = yield* handle(payload("unknownMsgType")).pipe(withCooldown(silent))
      expect(outcome).toEqual({ _tag: "Ignored", reason: "unsupported-type" })
      expect(silent.webhook.sent).toHaveLength(0)
    })
  })
})

describe("handleMessage: per-group settings", () => {
  it.effect("ignores a disabled group, even when @-mentioned", () => {
    const world = makeWorld({ groups: { [GROUP]: { enabled: false } } })
    return Effect.gen(function* () {
      expect(yield* handle(payload("group-text"))).toEqual({ _tag: "Ignored", reason: "group-disabled" })
      expect(world.webhook.sent).toHaveLength(0)
    }).pipe(withCooldown(world))
  })

  it.effect("answers without a mention in a group whose groupPolicy is 'all'", () => {
    const world = makeWorld({ groups: { [GROUP]: { groupPolicy: "all" } } })
    return Effect.gen(function* () {
      const unmentioned = payload("group-text", { isInAtList: false, atUsers: [] })
      expect(yield* handle(unmentioned)).toMatchObject({ _tag: "Replied" })
    }).pipe(withCooldown(world))
  })

  it.effect("gives the group's systemPrompt (over '*') to the agent; DMs get none", () => {
    const world = makeWorld({
      groups: { "*": { systemPrompt: "默认" }, [GROUP]: { systemPrompt: "你是运维助手" } },
    })
    return Effect.gen(function* () {
      yield* handle(payload("group-text"))
      yield* handle(payload("dm-text"))
      expect(world.agent.requests[0]?.systemPrompt).toBe("你是运维助手")
      expect(world.agent.requests[1]?.systemPrompt).toBeUndefined()
    }).pipe(withCooldown(world))
  })
})

describe("handleMessage: refusals", () => {
  const refusing = { refusalMessage: "抱歉，你没有使用权限。", allowlists: { dmSenders: ["staff-nobody"] } }

  it.effect("stays silent by default when an allowlist refuses", () => {
    const world = makeWorld({ allowlists: { dmSenders: [] } })
    return Effect.gen(function* () {
      expect(yield* handle(payload("dm-text"))).toEqual({ _tag: "Ignored", reason: "dm-sender-not-allowed" })
      expect(world.webhook.sent).toHaveLength(0)
    }).pipe(withCooldown(world))
  })

  it.effect("refuses at most once per sender per conversation per hour", () => {
    const world = makeWorld(refusing)
    const message = (id: string) => payload("dm-text", { msgId: id })
    return Effect.gen(function* () {
      expect(yield* handle(message("m1"))).toEqual({
        _tag: "Ignored",
        reason: "dm-sender-not-allowed",
        refused: true,
      })
      yield* handle(message("m2"))
      yield* TestClock.adjust(REFUSAL_WINDOW_MS - 1_000)
      yield* handle(message("m3"))
      expect(world.webhook.sent.map((sent) => sent.message.text)).toEqual(["抱歉，你没有使用权限。"])
      yield* TestClock.adjust(2_000)
      yield* handle(message("m4"))
      expect(world.webhook.sent).toHaveLength(2)
      expect(world.agent.requests).toHaveLength(0)
    }).pipe(withCooldown(world))
  })

  it.effect(
    "never refuses without a Cooldown, a disabled group, or a group message not meant for the bot",
    () => {
      const bare = makeWorld(refusing)
      const groups = makeWorld({
        refusalMessage: "no",
        allowlists: { groupSenders: [] },
        groups: { cidOther: { enabled: false } },
      })
      return Effect.gen(function* () {
        yield* handle(payload("dm-text")).pipe(Effect.provide(bare.layer))
        expect(bare.webhook.sent).toHaveLength(0)
        yield* handle(payload("group-not-mentioned")).pipe(withCooldown(groups))
        expect(groups.webhook.sent).toHaveLength(0)
        yield* handle(payload("group-text", { msgId: "mentioned" })).pipe(withCooldown(groups))
        expect(groups.webhook.sent).toHaveLength(1)
      })
    },
  )
})
