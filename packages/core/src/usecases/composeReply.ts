import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import type { InboundMessage } from "../domain/InboundMessage.js"
import { Agent, type AgentAttachment } from "../ports/Agent.js"
import { ConversationLease, ConversationLeaseError } from "../ports/ConversationLease.js"
import { collectAnswer } from "./collectAnswer.js"
import { downloadAttachments } from "./downloadAttachments.js"
import { FRIENDLY_REPLIES, RESET_COMMANDS } from "./friendlyReplies.js"
import type { ReplyKind } from "./HandleOutcome.js"
import { type PlannedMedia, planMedia } from "./planMedia.js"

export interface ComposedReply {
  readonly kind: ReplyKind
  readonly markdown: string
  /** Media the answer named, sent after its text (`markdown` already shows their labels). */
  readonly media?: ReadonlyArray<PlannedMedia>
}

/**
 * Runs `effect` under the conversation's lease when a ConversationLease is provided. A lease that cannot be had (its
 * store is down) does not hold the answer back: the effect then runs unleased, with a warning.
 */
const leased = <A, E, R>(key: string, effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.serviceOption(ConversationLease), (lease) =>
    lease._tag === "None"
      ? effect
      : lease.value
          .withLease(key, effect)
          .pipe(
            Effect.catch((error) =>
              error instanceof ConversationLeaseError
                ? Effect.logWarning("conversation lease unavailable; answering without it").pipe(
                    Effect.annotateLogs({ error: error.message }),
                    Effect.andThen(effect),
                  )
                : Effect.fail(error),
            ),
          ),
  )

const NOTHING_DOWNLOADED = Result.succeed<ReadonlyArray<AgentAttachment>>([])

export interface ComposeOptions {
  /** The conversation's instructions for the agent (a group's `systemPrompt`). */
  readonly systemPrompt?: string
  /** Called with each piece of the answer as the agent produces it (a card shows it at once). */
  readonly onText?: (text: string) => Effect.Effect<void>
}

/**
 * The reply's content: a session command, the agent's answer, or a friendly apology when something failed. The
 * message's own attachments and those of the message it quotes are downloaded first, in that order.
 */
export const composeReply = Effect.fnUntraced(function* (
  message: InboundMessage,
  sessionKey: string,
  /** `<robotCode>:<conversationId>`; the session key when absent. */
  leaseKey: string = sessionKey,
  options: ComposeOptions = {},
) {
  const agent = yield* Agent
  if (RESET_COMMANDS.includes(message.text.trim().toLowerCase())) {
    const reset = yield* leased(leaseKey, agent.reset(sessionKey)).pipe(Effect.result)
    if (reset._tag === "Failure") {
      yield* Effect.logWarning("session reset failed").pipe(
        Effect.annotateLogs({ reason: reset.failure.reason }),
      )
      return { kind: "apology", markdown: FRIENDLY_REPLIES.resetFailed } satisfies ComposedReply
    }
    return { kind: "command", markdown: FRIENDLY_REPLIES.sessionReset } satisfies ComposedReply
  }
  const quotedAttachments = message.quoted?.attachments ?? []
  const toDownload = [...message.attachments, ...quotedAttachments]
  const attachments =
    toDownload.length === 0
      ? NOTHING_DOWNLOADED
      : yield* downloadAttachments(toDownload).pipe(
          Effect.map((downloaded) =>
            downloaded.map((attachment, index) =>
              index < message.attachments.length ? attachment : { ...attachment, quoted: true },
            ),
          ),
          Effect.result,
        )
  if (attachments._tag === "Failure") {
    yield* Effect.logWarning("attachment download failed").pipe(
      Effect.annotateLogs({
        kind: attachments.failure.kind,
        step: attachments.failure.step,
        reason: attachments.failure.reason,
        ...(attachments.failure.status === undefined ? {} : { status: attachments.failure.status }),
      }),
    )
    return { kind: "apology", markdown: FRIENDLY_REPLIES.downloadFailed } satisfies ComposedReply
  }
  const answer = yield* leased(
    leaseKey,
    collectAnswer(
      agent
        .respond({
          sessionKey,
          text: message.text,
          attachments: attachments.success,
          sender: message.sender,
          conversation: message.conversation,
          ...(message.quoted && message.quoted.text !== "" ? { quotedText: message.quoted.text } : {}),
          ...(options.systemPrompt === undefined ? {} : { systemPrompt: options.systemPrompt }),
        })
        .pipe((events) => {
          const { onText } = options
          return onText === undefined
            ? events
            : Stream.tap(events, (event) => (event._tag === "TextDelta" ? onText(event.text) : Effect.void))
        }),
    ),
  ).pipe(Effect.result)
  if (answer._tag === "Failure") {
    yield* Effect.logWarning("agent failed").pipe(Effect.annotateLogs({ reason: answer.failure.reason }))
    return { kind: "apology", markdown: FRIENDLY_REPLIES.agentFailed } satisfies ComposedReply
  }
  const plan = yield* planMedia(answer.success)
  return {
    kind: "answer",
    markdown: plan.markdown,
    ...(plan.media.length === 0 ? {} : { media: plan.media }),
  } satisfies ComposedReply
})
