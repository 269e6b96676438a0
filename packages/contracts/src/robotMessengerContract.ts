import { describe, expect, it } from "@effect/vitest"
import { type MarkdownMessage, RobotMessenger } from "@openpollen/core"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"

export interface RobotMessengerHarness<E> {
  readonly layer: Layer.Layer<RobotMessenger, E>
  /** A group the robot is in; returns its openConversationId. */
  readonly group: () => Promise<string>
  /** A user the robot can reach; returns their staffId. */
  readonly user: () => Promise<string>
  /** A staffId DingTalk puts in invalidStaffIdList. */
  readonly unreachableUser: () => Promise<string>
  readonly receivedByGroup: (openConversationId: string) => Promise<ReadonlyArray<string>>
  readonly receivedByUser: (staffId: string) => Promise<ReadonlyArray<string>>
}

const message: MarkdownMessage = { title: "通知", text: "**主动消息**", atUserIds: [] }

/** A RobotMessenger reaches groups and any number of users, and reports users DingTalk refused. */
export const robotMessengerContract = <E>(name: string, makeHarness: () => RobotMessengerHarness<E>) =>
  describe(`RobotMessenger contract: ${name}`, () => {
    it.effect("sends Markdown to a group", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const group = yield* Effect.promise(harness.group)
        yield* (yield* RobotMessenger).sendToGroup(group, message)
        expect(yield* Effect.promise(() => harness.receivedByGroup(group))).toEqual([message.text])
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("reaches every one of 45 users (DingTalk takes 20 per call)", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const users = yield* Effect.promise(() => Promise.all(Array.from({ length: 45 }, harness.user)))
        yield* (yield* RobotMessenger).sendToUsers(users, message)
        for (const user of users)
          expect(yield* Effect.promise(() => harness.receivedByUser(user))).toEqual([message.text])
      }).pipe(Effect.provide(harness.layer))
    })

    it.effect("fails with rejected-users when DingTalk refuses a user", () => {
      const harness = makeHarness()
      return Effect.gen(function* () {
        const nobody = yield* Effect.promise(harness.unreachableUser)
        const error = yield* (yield* RobotMessenger).sendToUsers([nobody], message).pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "RobotSendFailed", reason: "rejected-users", retryable: false })
      }).pipe(Effect.provide(harness.layer))
    })
  })
