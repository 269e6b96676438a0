import { describe, expect, it } from "@effect/vitest"
import { type MarkdownMessage, SessionWebhook } from "@openpollen/core"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"

export interface SessionWebhookHarness<E> {
  readonly layer: Layer.Layer<SessionWebhook, E>
  /** A live session webhook of a fresh conversation. */
  readonly liveWebhook: () => Promise<{ readonly url: string; readonly conversationId: string }>
  /** Makes that webhook answer errcode 300001, as an expired session does. */
  readonly expire: (url: string, conversationId: string) => Promise<void>
  /** The messages that conversation's webhook accepted, in order. */
  readonly received: (conversationId: string) => Promise<ReadonlyArray<MarkdownMessage>>
}

const message: MarkdownMessage = { title: "契约", text: "**你好** @staff-1", atUserIds: ["staff-1"] }

/** A SessionWebhook delivers Markdown with its @-mentions, and turns DingTalk's errcodes into typed errors. */
export const sessionWebhookContract = <E>(name: string, makeHarness: () => SessionWebhookHarness<E>) =>
  describe(`SessionWebhook contract: ${name}`, () => {
    it.effect("delivers the title, the Markdown text and the @-mentions", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const { url, conversationId } = yield* Effect.promise(harness.liveWebhook)
        yield* (yield* SessionWebhook).send(url, message)
        const received = yield* Effect.promise(() => harness.received(conversationId))
        expect(received).toEqual([message])
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("answers WebhookExpired once the session is gone", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const { url, conversationId } = yield* Effect.promise(harness.liveWebhook)
        yield* Effect.promise(() => harness.expire(url, conversationId))
        const error = yield* (yield* SessionWebhook).send(url, message).pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "WebhookExpired", errcode: 300001 })
        expect(yield* Effect.promise(() => harness.received(conversationId))).toEqual([])
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("answers WebhookOversize for a body over 20,000 bytes", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const { url } = yield* Effect.promise(harness.liveWebhook)
        const error = yield* (yield* SessionWebhook)
          .send(url, { ...message, text: "长".repeat(7_000) })
          .pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "WebhookOversize", errcode: 460101 })
      }).pipe(Effect.provide(harness.layer))
    })
  })
