import { Context, type Effect, Schema } from "effect"
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

export interface AgentReply {
  readonly markdown: string
}

export class Agent extends Context.Service<
  Agent,
  {
    readonly respond: (request: AgentRequest) => Effect.Effect<AgentReply, AgentFailed>
    /** Forget the session's history (`/new`, `/reset`); fails when it could not be forgotten. */
    readonly reset: (sessionKey: string) => Effect.Effect<void, AgentFailed>
  }
>()("@openpollen/core/Agent") {}
