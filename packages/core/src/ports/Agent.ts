import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type { Conversation, Sender } from "../domain/InboundMessage.js"

export class AgentFailed extends Schema.TaggedError<AgentFailed>()("AgentFailed", {
  reason: Schema.Literals(["timeout", "unavailable", "rejected", "internal"]),
  message: Schema.String,
}) {}

export interface AgentAttachment {
  readonly kind: "picture" | "audio" | "video" | "file"
  /** Absolute local path of the downloaded file. */
  readonly path: string
  readonly fileName?: string
  readonly contentType?: string
  /** The file belongs to the message this one quotes, not to this message. */
  readonly quoted?: boolean
}

export interface AgentRequest {
  /** One per group conversation, one per DM user. */
  readonly sessionKey: string
  readonly text: string
  readonly attachments: ReadonlyArray<AgentAttachment>
  readonly sender: Sender
  readonly conversation: Conversation
  readonly quotedText?: string
  /** Instructions for this conversation (a group's `systemPrompt`); the agent adds them to its own. */
  readonly systemPrompt?: string
}

/** A piece of the answer as it is produced; the answer is the concatenation of the TextDeltas. */
export type AgentEvent =
  | { readonly _tag: "TextDelta"; readonly text: string }
  /** What the agent is doing while no text comes, e.g. "reading notes.pdf"; not part of the answer. */
  | { readonly _tag: "Status"; readonly text: string }

export const AgentEvent = {
  textDelta: (text: string): AgentEvent => ({ _tag: "TextDelta", text }),
  status: (text: string): AgentEvent => ({ _tag: "Status", text }),
} as const

export class Agent extends Context.Service<
  Agent,
  {
    /** The answer as a stream of events; the end of the answer is the end of the stream. */
    readonly respond: (request: AgentRequest) => Stream.Stream<AgentEvent, AgentFailed>
    /** Forget the session's history (`/new`, `/reset`); fails when it could not be forgotten. */
    readonly reset: (sessionKey: string) => Effect.Effect<void, AgentFailed>
  }
>()("@openpollen/core/Agent") {}
